using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>ctrs as users get it, the NativeAOT binary of <see cref="NativeAotBinary.Ctrs"/>, run as a process.</summary>
internal static class CtrsProcess
{
    /// <summary>The published ctrs (CTRS_PATH, else published once per test process).</summary>
    public static Task<string> PathAsync() => NativeAotBinary.Ctrs.GetPathAsync();

    /// <summary>Runs <c>ctrs --root ROOT ARGS…</c>.</summary>
    public static async Task<ToolResult> RunAsync(TempDirectory root, params string[] args)
        => await Tool.RunAsync(await PathAsync(), ["--root", root.Path, .. args]);
}
