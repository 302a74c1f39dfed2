using System.Diagnostics;
using Containers.Linux.Tests.Runc;
using Containers.Testing;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// Debian's containerd started privately, as benchmarks/scripts/private-containerd.sh does: root, state, sockets
/// and opt under a temp directory, the CRI plugin off; ctr talks to it in a namespace of its own, gives the runtime
/// (containerd-shim-runc-v2 runs it) a state root inside the sandbox (--runc-root) and every container a cgroup
/// below a parent made up for this sandbox (--cgroup). Dispose stops containerd and waits for it.
/// </summary>
public sealed class ContainerdSandbox : IDisposable
{
    private const string CtrPath = "/usr/bin/ctr";
    private readonly TempDirectory _directory = new("clients-containerd-");
    private Process? _daemon;

    private ContainerdSandbox(ClientRuntime runtime)
    {
        Runtime = runtime;
        string unique = Guid.NewGuid().ToString("N")[..12];
        Cgroup = "/runcs-clients-" + unique;
        Namespace = "clients-" + unique;
    }

    /// <summary>The runtime the shim drives.</summary>
    public ClientRuntime Runtime { get; }

    /// <summary>The cgroup parent of every container.</summary>
    public string Cgroup { get; }

    /// <summary>The containerd namespace of this sandbox.</summary>
    public string Namespace { get; }

    /// <summary>The sandbox's directory.</summary>
    public string Directory => _directory.Path;

    /// <summary>The runtime's state root (--runc-root; the shim passes a directory per namespace below it).</summary>
    public string RuntimeRoot => _directory.Combine("runtime-root");

    /// <summary>Where the runtime keeps this sandbox's containers: the shim's --root.</summary>
    public string RuntimeStateRoot => Path.Combine(RuntimeRoot, Namespace);

    /// <summary>Starts containerd and imports <paramref name="image"/>.</summary>
    public static ContainerdSandbox Create(ClientRuntime runtime, ClientImage image)
    {
        TestHost.RequireTool(PrivateContainerdDaemon.Containerd, "containerd");
        TestHost.RequireTool("/usr/bin/containerd-shim-runc-v2", "containerd");
        ContainerdSandbox sandbox = new(runtime);
        try
        {
            sandbox.Start();
            ProcessResult import = sandbox.Ctr("images", "import", "--base-name", ClientImage.Name.Split(':')[0], image.ArchivePath);
            Assert.That(import.ExitCode, Is.Zero, $"ctr images import:\n{import}");
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    /// <summary>Runs ctr against this containerd, in the sandbox's namespace.</summary>
    public ProcessResult Ctr(params string[] args)
    {
        try
        {
            return Commands.Run(CtrPath, [.. GlobalOptions(), .. args], timeoutSeconds: 120);
        }
        finally
        {
            Runtime.AfterRun();
        }
    }

    /// <summary>Runs ctr under script(1), so that it has a terminal (ctr -t needs one).</summary>
    public ProcessResult CtrInTerminal(params string[] args)
    {
        try
        {
            string command = string.Join(' ', new[] { CtrPath }.Concat(GlobalOptions()).Concat(args).Select(Shell.Quote));
            return Commands.Run("script", ["-qec", command, "/dev/null"], timeoutSeconds: 120);
        }
        finally
        {
            Runtime.AfterRun();
        }
    }

    /// <summary><c>ctr run</c> options that hand the container to the runtime with a private root and cgroup.</summary>
    public string[] RunOptions(string id)
        => ["--runc-binary", Runtime.Path, "--runc-root", RuntimeRoot, "--cgroup", Cgroup + "/" + id];

    /// <summary>Stops containerd (SIGTERM) and waits for it, then removes the directory and the cgroup parent.</summary>
    public void Dispose()
    {
        if (_daemon is not null)
        {
            if (!_daemon.HasExited)
            {
                // SIGTERM lets containerd close its database and sockets; SIGKILL only if it hangs.
                Commands.Run("kill", ["-TERM", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                if (!_daemon.WaitForExit(30_000))
                {
                    _daemon.Kill(entireProcessTree: false);
                    _daemon.WaitForExit();
                }
            }

            _daemon.Dispose();
            _daemon = null;
        }

        _directory.Dispose();
        ClientLeftovers.RemoveCgroup(Cgroup);
        PrivateContainerdDaemon.RemoveRunDirectories();
    }

    private string[] GlobalOptions() => ["--address", _directory.Combine("containerd.sock"), "--namespace", Namespace];

    private void Start()
    {
        _daemon = PrivateContainerdDaemon.Spawn(_directory.Path);
        for (int i = 0; i < 200; i++)
        {
            if (_daemon.HasExited)
            {
                break;
            }

            if (File.Exists(_directory.Combine("containerd.sock")) && Commands.Run(CtrPath, [.. GlobalOptions(), "version"]).ExitCode == 0)
            {
                return;
            }

            Thread.Sleep(100);
        }

        Assert.Fail($"containerd did not start:\n{File.ReadAllText(_directory.Combine("containerd.log"))}");
    }
}
