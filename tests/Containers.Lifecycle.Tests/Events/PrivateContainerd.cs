using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Events;

/// <summary>
/// Debian's containerd with every path it writes (root, state, sockets, opt) under one directory and the CRI plugin
/// off, as benchmarks/scripts/private-containerd.sh starts it, and a <c>ctr events</c> stream from it. Dispose stops
/// both (SIGTERM, then waits) and removes what containerd 1.6's shim and ctr made under /run/containerd when it was
/// absent before.
/// </summary>
internal sealed class PrivateContainerd : IAsyncDisposable
{
    private const string Ctr = "/usr/bin/ctr";
    private readonly string _directory;
    private readonly ConcurrentQueue<string> _events = new();
    private Process? _daemon;
    private Process? _stream;

    private PrivateContainerd(string directory, string @namespace)
    {
        _directory = directory;
        Namespace = @namespace;
    }

    /// <summary>The namespace ctr works in.</summary>
    public string Namespace { get; }

    /// <summary>The runtime's state root for <c>ctr run --runc-root</c>.</summary>
    public string RuncRoot => Path.Combine(_directory, "runc-root");

    /// <summary>Starts containerd in <paramref name="directory"/> and a <c>ctr events</c> that has subscribed.</summary>
    public static async Task<PrivateContainerd> StartAsync(string directory, string @namespace)
    {
        TestHost.RequireTool(PrivateContainerdDaemon.Containerd, "containerd");
        TestHost.RequireTool("/usr/bin/containerd-shim-runc-v2", "containerd");
        Directory.CreateDirectory(directory);
        PrivateContainerd containerd = new(directory, @namespace);
        try
        {
            await containerd.StartDaemonAsync();
            containerd.StartEvents();
            // ctr events prints nothing until it has subscribed: a namespace create shows that it has.
            for (int attempt = 0; !containerd.Topics().Contains("/namespaces/create"); attempt++)
            {
                Assert.That(attempt, Is.LessThan(300), "ctr events saw no namespace create");
                if (attempt % 50 == 0)
                {
                    _ = await Tool.RunAsync(Ctr, [.. containerd.Global(), "namespaces", "create", @namespace + "-probe" + attempt.ToString(CultureInfo.InvariantCulture)]);
                }

                await Task.Delay(100);
            }

            return containerd;
        }
        catch
        {
            await containerd.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs ctr in <see cref="Namespace"/>.</summary>
    public Task<ToolResult> CtrAsync(params string[] args) => Tool.RunAsync(Ctr, [.. Global(), "--namespace", Namespace, .. args], timeout: TimeSpan.FromMinutes(2));

    /// <summary>The topics <c>ctr events</c> printed so far for <see cref="Namespace"/>, in order.</summary>
    public IReadOnlyList<string> NamespaceTopics()
        => Lines().Where(l => l.Namespace == Namespace).Select(l => l.Topic).ToArray();

    public async ValueTask DisposeAsync()
    {
        foreach (Process? process in new[] { _stream, _daemon })
        {
            if (process is null)
            {
                continue;
            }

            if (!process.HasExited)
            {
                _ = await GracefulStop.StopAsync(process, TimeSpan.FromSeconds(30));
            }

            process.Dispose();
        }

        PrivateContainerdDaemon.RemoveRunDirectories();
    }

    private IReadOnlyList<string> Topics() => Lines().Select(l => l.Topic).ToArray();

    /// <summary><c>ctr events</c> lines: <c>date time zone UTC namespace topic payload</c>.</summary>
    private IEnumerable<(string Namespace, string Topic)> Lines()
        => _events.Select(l => l.Split(' ', 7)).Where(t => t.Length >= 6).Select(t => (t[4], t[5]));

    private string[] Global() => ["--address", Path.Combine(_directory, "containerd.sock")];

    private async Task StartDaemonAsync()
    {
        _daemon = PrivateContainerdDaemon.Spawn(_directory);
        for (int i = 0; i < 200 && !_daemon.HasExited; i++)
        {
            if (File.Exists(Path.Combine(_directory, "containerd.sock")) && (await Tool.RunAsync(Ctr, [.. Global(), "version"])).ExitCode == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"containerd did not start:\n{await File.ReadAllTextAsync(Path.Combine(_directory, "containerd.log"))}");
    }

    private void StartEvents()
    {
        ProcessStartInfo info = new(Ctr) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in Global().Append("events"))
        {
            info.ArgumentList.Add(arg);
        }

        _stream = Process.Start(info)!;
        _stream.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _events.Enqueue(e.Data);
            }
        };
        _stream.ErrorDataReceived += (_, _) => { };
        _stream.BeginOutputReadLine();
        _stream.BeginErrorReadLine();
    }
}
