using System.Runtime.InteropServices;
using Containers.Oci.Runtime;

namespace Containers.Oci;

public static partial class SpecOptions
{
    /// <summary>
    /// Sets the default seccomp profile (containerd's <c>seccomp.WithDefaultProfile</c>, which is Docker's
    /// default): everything not listed fails with EPERM, <c>clone</c> may not create namespaces,
    /// <c>personality</c> only with the five harmless personas, <c>clone3</c> fails with ENOSYS so libc
    /// falls back to <c>clone</c>. The profile is the one containerd renders for x86-64 with the default
    /// capabilities; the syscalls that extra capabilities unlock in containerd's profile
    /// (CAP_SYS_ADMIN, CAP_SYS_PTRACE, …) stay blocked here.
    /// </summary>
    /// <exception cref="UnsupportedException">The process does not run on x86-64 (no rendering for other architectures yet).</exception>
    public static SpecOption WithSeccompDefault() => (_, spec, _) =>
    {
        if (RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new UnsupportedException($"linux.seccomp: the default profile is only rendered for x86-64 yet, not {RuntimeInformation.OSArchitecture}");
        }

        (spec.Linux ??= new Runtime.Linux()).Seccomp = LoadDefaultProfile();
        return ValueTask.CompletedTask;
    };

    private static LinuxSeccomp LoadDefaultProfile()
    {
        using Stream stream = typeof(SpecOptions).Assembly.GetManifestResourceStream("Containers.Oci.Seccomp.default-amd64.json")
            ?? throw new InvalidOperationException("the default seccomp profile resource is missing from the assembly");
        using var profile = new MemoryStream();
        stream.CopyTo(profile);
        // Parsed through the public spec reader, wrapped in a minimal spec, so the model's own rules apply.
        byte[] document = [.. "{\"ociVersion\":\"1.2.0\",\"linux\":{\"seccomp\":"u8, .. profile.ToArray(), .. "}}"u8];
        return RuntimeSpecJson.ParseSpec(document).Linux!.Seccomp!;
    }
}
