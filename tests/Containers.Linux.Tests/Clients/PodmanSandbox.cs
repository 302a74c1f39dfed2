using System.Globalization;
using Containers.Linux.Tests.Runc;
using Containers.Testing;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// Debian's podman with everything private: its own --root/--runroot/--tmpdir under a temp directory, the vfs
/// storage driver (no overlay mounts), cgroupfs with a cgroup parent made up for this sandbox, events in a file,
/// no network, and the runtime's own --root inside the sandbox too (through a wrapper script). Root lacks
/// CAP_SYS_RESOURCE here, so every container gets the current hard nofile/nproc limits instead of podman's higher
/// defaults.
/// </summary>
public sealed class PodmanSandbox : IDisposable
{
    private const string Podman = "/usr/bin/podman";
    private readonly TempDirectory _directory = new("clients-podman-");

    private PodmanSandbox(ClientRuntime runtime)
    {
        Runtime = runtime;
        Cgroup = "/runcs-clients-" + Guid.NewGuid().ToString("N")[..12];
    }

    /// <summary>The runtime podman drives.</summary>
    public ClientRuntime Runtime { get; }

    /// <summary>The cgroup parent of every container (podman puts conmon in its "conmon" child).</summary>
    public string Cgroup { get; }

    /// <summary>The sandbox's directory.</summary>
    public string Directory => _directory.Path;

    /// <summary>The runtime's state root.</summary>
    public string RuntimeRoot => _directory.Combine("runtime-root");

    /// <summary>Options every <c>podman run</c> here takes.</summary>
    public string[] RunOptions
    {
        get
        {
            List<string> options = ["--network", "none", "--cgroup-parent", Cgroup];
            // podman lowers its own (so its runtime's) nproc hard limit to 32768 where it was higher.
            foreach ((string limit, string name, long cap) in new[] { ("Max open files", "nofile", long.MaxValue), ("Max processes", "nproc", 32768L) })
            {
                if (HardLimit(limit) is long hard)
                {
                    long value = Math.Min(hard, cap);
                    options.Add("--ulimit");
                    options.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={value}:{value}"));
                }
            }

            return [.. options];
        }
    }

    /// <summary>Creates the sandbox and loads <paramref name="image"/> into it.</summary>
    public static PodmanSandbox Create(ClientRuntime runtime, ClientImage image)
    {
        TestHost.RequireTool(Podman, "podman");
        TestHost.RequireTool("/usr/bin/conmon", "conmon");
        PodmanSandbox sandbox = new(runtime);
        sandbox.WriteRuntimeWrapper();
        ProcessResult load = sandbox.Run("load", "-i", image.ArchivePath);
        Assert.That(load.ExitCode, Is.Zero, $"podman load:\n{load}");
        return sandbox;
    }

    /// <summary>Runs podman with the sandbox's global options.</summary>
    public ProcessResult Run(params string[] args)
    {
        try
        {
            return Commands.Run(Podman, [.. GlobalOptions(), .. args], timeoutSeconds: 120);
        }
        finally
        {
            Runtime.AfterRun();
        }
    }

    /// <summary>Runs podman under script(1), so that it has a terminal (for -t).</summary>
    public ProcessResult RunInTerminal(params string[] args)
    {
        try
        {
            string command = string.Join(' ', new[] { Podman }.Concat(GlobalOptions()).Concat(args).Select(Shell.Quote));
            return Commands.Run("script", ["-qec", command, "/dev/null"], timeoutSeconds: 120);
        }
        finally
        {
            Runtime.AfterRun();
        }
    }

    /// <summary>Removes every container left (a failed test), then the directory; the caller checks what remains.</summary>
    public void Dispose()
    {
        Run("rm", "--all", "--force", "--time", "0");
        _directory.Dispose();
        ClientLeftovers.RemoveCgroup(Cgroup);
    }

    private string[] GlobalOptions() =>
    [
        "--root", _directory.Combine("root"), "--runroot", _directory.Combine("runroot"), "--tmpdir", _directory.Combine("tmp"),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
        "--runtime", RuntimeWrapper,
    ];

    /// <summary>
    /// The runtime with its --root in the sandbox. podman's --runtime-flag would not do: the cleanup podman that
    /// conmon starts when a container exits (the one that runs `delete` for --rm) is not given the flags, so it
    /// would look in the default root. The wrapper has the runtime's own name, which is what podman keys on.
    /// </summary>
    private string RuntimeWrapper => _directory.Combine("bin", Runtime.Name);

    private void WriteRuntimeWrapper()
    {
        System.IO.Directory.CreateDirectory(_directory.Combine("bin"));
        File.WriteAllText(RuntimeWrapper, $"#!/bin/sh\nexec {Shell.Quote(Runtime.Path)} --root {Shell.Quote(RuntimeRoot)} \"$@\"\n");
        File.SetUnixFileMode(RuntimeWrapper, (UnixFileMode)0b111_101_101);
    }

    private static long? HardLimit(string name)
    {
        // /proc/self/limits: "Max open files            20000                20000                files".
        string? line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
        string[] fields = line?[25..].Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long hard) ? hard : null;
    }
}
