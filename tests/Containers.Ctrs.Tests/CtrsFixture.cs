using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>
/// ctrs run as a process over a fresh root and state, with a busybox image pulled from Debian's
/// docker-registry (root); whatever a failed test left is removed at the end.
/// </summary>
public abstract class CtrsFixture
{
    /// <summary>The namespace of the ctrs run tests (also their containers' parent cgroup, removed by <see cref="CtrsCgroupParents"/>).</summary>
    public const string Namespace = "ctrs-run-tests";

    private readonly string _name;
    private BusyboxInRegistry? _image;
    private string? _runcs;
    private string? _ctrs;

    /// <summary>A fixture whose registry directory and repository are named after <paramref name="name"/>.</summary>
    /// <param name="name">For example <c>ctrs-run</c>: directory <c>ctrs-run-…</c>, repository <c>ctrs/run</c>.</param>
    private protected CtrsFixture(string name) => _name = name;

    /// <summary>The image, its registry and the directory holding ctrs's root and state.</summary>
    private protected BusyboxInRegistry Image => _image ?? throw new InvalidOperationException("no image outside the fixture");

    [OneTimeSetUp]
    public async Task StartImageAsync()
    {
        TestHost.RequireRoot("runs containers through runcs shims on overlayfs");
        _image = await BusyboxInRegistry.StartAsync(_name + "-", "ctrs/" + _name["ctrs-".Length..]);
        _runcs = await RuncsPublisher.GetPathAsync();
        _ctrs = await CtrsProcess.PathAsync();
        (await CtrsAsync("images", "pull", "--plain-http", _image.Reference)).EnsureSuccess("pull");
    }

    [OneTimeTearDown]
    public async Task StopImageAsync()
    {
        if (_image is null)
        {
            return;
        }

        // Whatever a failed test left: its tasks killed and deleted, its containers removed, then mounts.
        ToolResult containers = await CtrsAsync("containers", "ls");
        foreach (string id in containers.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ')[0]))
        {
            _ = await CtrsAsync("tasks", "rm", "-f", id);
            _ = await CtrsAsync("containers", "rm", id);
        }

        await _image.DisposeAsync();
    }

    private protected static string NewId(string prefix) => prefix + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6);

    private protected static string TaskLine(ToolResult ls, string id)
        => ls.StandardOutput.Split('\n').SingleOrDefault(l => l.StartsWith(id + " ", StringComparison.Ordinal))?.TrimEnd() ?? $"(no task {id} in:\n{ls.StandardOutput}{ls.StandardError})";

    /// <summary>The published ctrs binary the tests run (see <see cref="CtrsProcess"/>).</summary>
    private protected string Ctrs => _ctrs ?? throw new InvalidOperationException("no ctrs outside the fixture");

    /// <summary>The global options, then <paramref name="args"/> (for <see cref="Ctrs"/>).</summary>
    private protected string[] CtrsArguments(IEnumerable<string> args)
        => ["--root", Image.Directory.Combine("root"), "--state", Image.Directory.Combine("state"), "--namespace", Namespace, "--runcs", _runcs!, .. args];

    private protected Task<ToolResult> CtrsAsync(params string[] args) => Tool.RunAsync(Ctrs, CtrsArguments(args), timeout: TimeSpan.FromMinutes(3));
}
