using Containers.Linux.Seccomp;
using Containers.Testing;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// Builds TestData/seccomp-harness.c once and runs it: every case runs in a fresh child of the harness,
/// so neither the test process nor the harness itself is ever filtered.
/// </summary>
internal static class SeccompHarness
{
    private static readonly Lazy<Task<string>> Binary = new(BuildAsync);

    public static Task<string> PathAsync() => Binary.Value;

    /// <summary>Whether the harness is linked statically, so it runs in a busybox rootfs without glibc.</summary>
    public static bool IsStatic => HaveStaticLibc;

    private static bool HaveStaticLibc => File.Exists("/usr/lib/x86_64-linux-gnu/libc.a") || File.Exists("/usr/lib/aarch64-linux-gnu/libc.a");

    /// <summary>Installs <paramref name="program"/> in a child per case and returns each case's outcome.</summary>
    public static async Task<string[]> RunAsync(SeccompProgram program, IReadOnlyList<string> cases, SeccompFilterFlags? flags = null)
    {
        string harness = await PathAsync();
        string filter = Path.Combine(Path.GetTempPath(), "seccomp-" + Guid.NewGuid().ToString("N") + ".bpf");
        await File.WriteAllBytesAsync(filter, program.ToBytes());
        try
        {
            uint f = (uint)(flags ?? (program.Flags & ~SeccompFilterFlags.NewListener));
            ToolResult result = await Tool.RunAsync(harness, ["-f", filter, "-F", f.ToString(System.Globalization.CultureInfo.InvariantCulture), .. cases]);
            result.EnsureSuccess("seccomp harness");
            return Parse(result.StandardOutput, cases.Count);
        }
        finally
        {
            File.Delete(filter);
        }
    }

    /// <summary>Turns "i OUTCOME" lines into an array indexed by case.</summary>
    public static string[] Parse(string output, int count)
    {
        string[] outcomes = new string[count];
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && int.TryParse(line.AsSpan(0, space), out int index) && index < count)
            {
                outcomes[index] = line[(space + 1)..];
            }
        }

        for (int i = 0; i < count; i++)
        {
            outcomes[i] ??= "MISSING";
        }

        return outcomes;
    }

    /// <summary>A case: syscall number and up to six arguments.</summary>
    public static string Case(long nr, params ulong[] args)
        => string.Join(':', new[] { "0x" + nr.ToString("x", System.Globalization.CultureInfo.InvariantCulture) }
            .Concat(args.Select(a => "0x" + a.ToString("x", System.Globalization.CultureInfo.InvariantCulture))));

    private static async Task<string> BuildAsync()
    {
        string compiler = File.Exists("/usr/bin/cc") ? "/usr/bin/cc" : File.Exists("/usr/bin/clang") ? "/usr/bin/clang" : "/usr/bin/gcc";
        TestHost.RequireTool(compiler, "a C compiler");
        // In the build output, like the published runcs: nothing is left in /tmp after the run.
        string output = Path.Combine(AppContext.BaseDirectory, "seccomp-harness");
        string source = SeccompTestData.PathOf("seccomp-harness.c");
        List<string> args = ["-O1", "-o", output, source];
        if (HaveStaticLibc)
        {
            args.Insert(0, "-static");
        }

        (await Tool.RunAsync(compiler, args)).EnsureSuccess("building the seccomp harness");
        return output;
    }
}
