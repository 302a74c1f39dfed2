using Containers.Oci.Runtime;

namespace Containers.Linux.Runtime;

/// <summary>
/// An LSM label a process gets at execve: process.apparmorProfile (written as <c>exec &lt;profile&gt;</c> to
/// /proc/thread-self/attr/apparmor/exec, or attr/exec on kernels without the per-LSM directory) or
/// process.selinuxLabel (written to attr/exec). As runc 1.1: an AppArmor profile is applied whether or not the
/// host has AppArmor (without it the kernel refuses the write, EINVAL); an SELinux label on a host without SELinux
/// is refused before anything starts.
/// </summary>
/// <param name="Field">The config field, for messages.</param>
/// <param name="AttributePath">The attr file the child writes.</param>
/// <param name="Value">What it writes.</param>
public sealed record ProcessSecurityLabel(string Field, string AttributePath, string Value)
{
    private const string ProcSelfAttr = "/proc/self/attr/";
    private const string ThreadSelfAttr = "/proc/thread-self/attr/";

    /// <summary>The labels <paramref name="process"/> asks for (none, one or both), AppArmor first as in runc's init.</summary>
    /// <exception cref="UnsupportedException">An SELinux label on a host where SELinux is not enabled.</exception>
    /// <exception cref="InvalidSpecException">A label with a NUL or newline.</exception>
    public static IReadOnlyList<ProcessSecurityLabel> Of(ProcessSpec process)
    {
        ArgumentNullException.ThrowIfNull(process);
        List<ProcessSecurityLabel> labels = [];
        if (!string.IsNullOrEmpty(process.ApparmorProfile))
        {
            Check(process.ApparmorProfile, "process.apparmorProfile");

            // runc: attr/apparmor/exec where the kernel has it (LSM stacking), else the shared attr/exec.
            string attribute = Directory.Exists(ProcSelfAttr + "apparmor") ? "apparmor/exec" : "exec";
            labels.Add(new("process.apparmorProfile", ThreadSelfAttr + attribute, "exec " + process.ApparmorProfile));
        }

        if (!string.IsNullOrEmpty(process.SelinuxLabel))
        {
            Check(process.SelinuxLabel, "process.selinuxLabel");
            if (!SelinuxEnabled())
            {
                // runc's words for it.
                throw new UnsupportedException("process.selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported");
            }

            labels.Add(new("process.selinuxLabel", ThreadSelfAttr + "exec", process.SelinuxLabel));
        }

        return labels;
    }

    /// <summary>Whether SELinux is enabled: selinuxfs is mounted and this process has a context other than "kernel" (go-selinux's test).</summary>
    public static bool SelinuxEnabled()
    {
        bool mounted = File.ReadLines("/proc/self/mountinfo").Any(line =>
        {
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            return dash >= 0 && line.AsSpan(dash + 3).StartsWith("selinuxfs ", StringComparison.Ordinal);
        });
        if (!mounted)
        {
            return false;
        }

        try
        {
            return File.ReadAllText(ProcSelfAttr + "current").TrimEnd('\0', '\n') is not ("" or "kernel");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A description for a failure message.</summary>
    public string Describe() => $"{Field}: write {AttributePath} \"{Value}\"";

    private static void Check(string value, string field)
    {
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            throw new InvalidSpecException(field, "must be one line");
        }
    }
}
