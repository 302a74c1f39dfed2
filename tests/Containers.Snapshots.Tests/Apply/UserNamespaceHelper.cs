using Containers.Testing;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// Runs tests/Containers.Snapshots.CrashHelper (or a shell script that runs it) as uid/gid 65534 inside
/// <c>unshare --user --map-root-user</c>, i.e. as root of a user namespace that maps only 0 → 65534. The test process
/// itself never forks or unshares (DESIGN §2): it only starts <c>setpriv</c>.
/// </summary>
internal static class UserNamespaceHelper
{
    public const int Nobody = 65534;

    private static readonly string NobodyText = Nobody.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Helper => Path.Combine(AppContext.BaseDirectory, "Containers.Snapshots.CrashHelper.dll");

    /// <summary>The command line that starts the helper with the same dotnet host as the tests.</summary>
    public static string HelperCommand => $"'{Dotnet}' '{Helper}'";

    private static string Dotnet => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>Runs the helper with <paramref name="arguments"/> in a new user namespace.</summary>
    public static Task<ToolResult> RunHelperAsync(params string[] arguments)
    {
        Assert.That(File.Exists(Helper), Is.True, Helper);
        return RunAsync(false, [Dotnet, Helper, .. arguments]);
    }

    /// <summary>Runs <c>sh -ec <paramref name="script"/></c> in a new user namespace with its own mount namespace.</summary>
    public static Task<ToolResult> RunScriptWithMountsAsync(string script)
    {
        Assert.That(File.Exists(Helper), Is.True, Helper);
        return RunAsync(true, ["sh", "-ec", script]);
    }

    // The temp directory is 0700 root; the unprivileged helper must reach what is inside it.
    public static void AllowNobody(string directory) =>
        File.SetUnixFileMode(directory, (UnixFileMode)0x1ed);

    /// <summary>A directory owned by 65534, which the namespace's root owns.</summary>
    public static string MakeRootFor(TempDirectory temp, string name)
    {
        string root = temp.Combine(name);
        Directory.CreateDirectory(root);
        Tool.RunCheckedAsync("chown", $"{Nobody}:{Nobody}", root).GetAwaiter().GetResult();
        return root;
    }

    public static async Task RequireUserNamespacesAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root to start the helper as another user");
        }

        ToolResult probe = await Tool.RunAsync("setpriv", ["--reuid", NobodyText, "--regid", NobodyText, "--clear-groups", "--", "unshare", "--user", "--map-root-user", "--", "true"]);
        if (probe.ExitCode != 0)
        {
            Assert.Ignore($"unprivileged user namespaces are not available: {probe.StandardError.Trim()}");
        }
    }

    private static Task<ToolResult> RunAsync(bool mountNamespace, string[] command) =>
        Tool.RunAsync(
            "setpriv",
            ["--reuid", NobodyText, "--regid", NobodyText, "--clear-groups", "--",
             "unshare", "--user", "--map-root-user", .. (mountNamespace ? (string[])["--mount"] : []), "--", .. command],
            environment: new Dictionary<string, string> { ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp" },
            timeout: TimeSpan.FromMinutes(3));
}
