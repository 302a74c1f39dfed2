using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// Runs the harness inside a crun 1.8 container (busybox rootfs) whose linux.seccomp is the profile under
/// test, so libseccomp compiles and crun installs it: the reference our compiled programs are held to.
/// <see cref="RunRuncsAsync"/> runs the very same bundle (same config.json, rootfs and harness) under runcs.
/// </summary>
internal sealed class CrunOracle : IDisposable
{
    private const string Crun = "/usr/bin/crun";
    private readonly TempDirectory _bundle;
    private readonly JsonObject _config;
    private int _runs;

    private CrunOracle(TempDirectory bundle, JsonObject config)
    {
        _bundle = bundle;
        _config = config;
    }

    public static async Task<CrunOracle> CreateAsync()
    {
        TestHost.RequireRoot("crun runs containers");
        TestHost.RequireTool(Crun, "crun");
        TestHost.RequireTool("/usr/bin/unshare", "util-linux");
        string harness = await SeccompHarness.PathAsync();
        if (!SeccompHarness.IsStatic)
        {
            Assert.Ignore("no libc.a (libc6-dev): the harness cannot be linked statically for the busybox rootfs");
        }

        TempDirectory bundle = new("ctr-seccomp-oracle-");
        string rootfs = bundle.Combine("rootfs");
        await BusyboxRootfs.CreateAsync(rootfs);
        File.Copy(harness, Path.Combine(rootfs, "harness"), overwrite: true);
        File.SetUnixFileMode(Path.Combine(rootfs, "harness"), (UnixFileMode)0b111_101_101);
        (await Tool.RunAsync(Crun, ["spec"], workingDirectory: bundle.Path)).EnsureSuccess("crun spec");
        JsonObject config = JsonNode.Parse(await File.ReadAllTextAsync(bundle.Combine("config.json")))!.AsObject();
        config["process"]!["terminal"] = false;
        return new CrunOracle(bundle, config);
    }

    /// <summary>Runs the cases under crun with <paramref name="seccomp"/> (and <paramref name="edit"/> applied to config.json); Outcomes is null when crun refused the profile (its stderr in Error).</summary>
    public async Task<(string[]? Outcomes, string Error)> RunAsync(LinuxSeccomp seccomp, IReadOnlyList<string> cases, Action<JsonObject>? edit = null)
    {
        JsonObject config = _config.DeepClone().AsObject();
        config["process"]!["args"] = new JsonArray([JsonValue.Create("/harness"), .. cases.Select(c => (JsonNode)JsonValue.Create(c))]);
        config["linux"]!["seccomp"] = JsonNode.Parse(JsonSerializer.Serialize(seccomp, RuntimeSpecJsonContext.Default.LinuxSeccomp));
        edit?.Invoke(config);
        await File.WriteAllTextAsync(_bundle.Combine("config.json"), config.ToJsonString());
        string id = "ctr-seccomp-" + Environment.ProcessId + "-" + Interlocked.Increment(ref _runs);

        // crun 1.8 refuses a hybrid cgroup host; a private tmpfs over the unified mount hides it.
        // Its state root is the bundle's, not crun's default /run/crun, which the test must not leave behind.
        string root = _bundle.Combine("crun-state");
        string script = $"mount -t tmpfs none /sys/fs/cgroup/unified && exec {Crun} --root '{root}' run -b '{_bundle.Path}' {id}";
        ToolResult result = await Tool.RunAsync("/usr/bin/unshare", ["-m", "sh", "-c", script], timeout: TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0 && result.StandardOutput.Length == 0)
        {
            await Tool.RunAsync(Crun, ["--root", root, "delete", "-f", id]);
            return (null, result.StandardError);
        }

        return (SeccompHarness.Parse(result.StandardOutput, cases.Count), result.StandardError);
    }

    /// <summary>
    /// Runs the cases under <c>runcs run</c> on the same bundle with <paramref name="seccomp"/>; Outcomes is null
    /// when runcs refused to start the container (its stderr in Error).
    /// </summary>
    public async Task<(string[]? Outcomes, string Error)> RunRuncsAsync(string runcs, LinuxSeccomp seccomp, IReadOnlyList<string> cases, Action<JsonObject>? edit = null)
    {
        JsonObject config = _config.DeepClone().AsObject();
        config["process"]!["args"] = new JsonArray([JsonValue.Create("/harness"), .. cases.Select(c => (JsonNode)JsonValue.Create(c))]);
        config["linux"]!["seccomp"] = JsonNode.Parse(JsonSerializer.Serialize(seccomp, RuntimeSpecJsonContext.Default.LinuxSeccomp));
        edit?.Invoke(config);
        await File.WriteAllTextAsync(_bundle.Combine("config.json"), config.ToJsonString());
        string id = "ctr-seccomp-runcs-" + Environment.ProcessId + "-" + Interlocked.Increment(ref _runs);
        ToolResult result = await Tool.RunAsync(runcs, ["--root", _bundle.Combine("runcs-state"), "run", "-b", _bundle.Path, id], timeout: TimeSpan.FromMinutes(1));
        if (result.ExitCode != 0 && result.StandardOutput.Length == 0)
        {
            await Tool.RunAsync(runcs, ["--root", _bundle.Combine("runcs-state"), "delete", "--force", id]);
            return (null, result.StandardError);
        }

        return (SeccompHarness.Parse(result.StandardOutput, cases.Count), result.StandardError);
    }

    public void Dispose() => _bundle.Dispose();
}
