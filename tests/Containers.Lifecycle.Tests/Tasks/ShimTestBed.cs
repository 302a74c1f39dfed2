using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>A state directory, busybox bundles and the runtimes (runcs, runc, crun through a wrapper) for the shim tests.</summary>
internal sealed class ShimTestBed : IDisposable
{
    private readonly TempDirectory _directory = new("shim-");

    private ShimTestBed(string runcs) => Runcs = runcs;

    /// <summary>The published runcs.</summary>
    public string Runcs { get; }

    /// <summary>The state root given to the services.</summary>
    public string State => _directory.Combine("state");

    /// <summary>Where the shims live.</summary>
    public string Shims => Path.Combine(State, "shims");

    public static async Task<ShimTestBed> CreateAsync()
    {
        TestHost.RequireRoot("runs containers through shims");
        return new ShimTestBed(await RuncsPublisher.GetPathAsync());
    }

    public ShimTaskService NewService(string? runtime = null, Containers.Events.IEventBus? events = null)
        => new(new ShimTaskServiceOptions { StateDirectory = State, ShimPath = Runcs, Runtime = runtime }, events);

    /// <summary>
    /// The runtime binary for a runtime name: null (the shim's own runcs engine, in-process), the runcs binary
    /// ("runcs-cli": runcs driven through its command line), runc, or crun behind a wrapper.
    /// </summary>
    public string? Runtime(string name)
    {
        switch (name)
        {
            case "runcs":
                return null;
            case "runcs-cli":
                return Runcs;
            case "runc":
                TestHost.RequireTool("/usr/sbin/runc", "runc");
                return "/usr/sbin/runc";
            default:
                TestHost.RequireTool("/usr/bin/crun", "crun");
                // crun 1.8 refuses hybrid hosts: run each call in a private mount namespace with an
                // empty tmpfs over the cgroup2 mount, so it sees (and uses) cgroup v1 only.
                string wrapper = _directory.Combine("crun-wrapper");
                File.WriteAllText(wrapper, "#!/bin/sh\nexec unshare -m /bin/sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified && exec /usr/bin/crun \"$@\"' crun \"$@\"\n");
                File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
                return wrapper;
        }
    }

    /// <summary>A bundle whose init runs <paramref name="script"/> with /bin/sh; returns (id, bundle, log path).</summary>
    public async Task<(string Id, string Bundle, string Log)> BundleAsync(string prefix, string script, string? ociVersion = null, params SpecOption[] options)
    {
        string id = prefix + "-" + Guid.NewGuid().ToString("N")[..10];
        string bundle = _directory.Combine("bundles", id);
        string rootfs = Path.Combine(bundle, "rootfs");
        await BusyboxRootfs.CreateAsync(rootfs);
        Spec spec = await SpecGenerator.GenerateAsync(new SpecContext("default", id) { RootfsPath = rootfs },
            [SpecOptions.WithProcessArgs("/bin/sh", "-c", script), .. options]);
        spec.Linux!.CgroupsPath = $"/lifecycle-tests/{id}";
        if (ociVersion is not null)
        {
            spec.OciVersion = ociVersion;
        }

        await File.WriteAllBytesAsync(Path.Combine(bundle, "config.json"), RuntimeSpecJson.Serialize(spec));
        return (id, bundle, _directory.Combine(id + ".log"));
    }

    /// <summary>Ends a running task with SIGKILL, reaps and deletes it.</summary>
    public static async Task KillAndDeleteAsync(ShimTaskService service, string id)
    {
        await service.KillAsync(id, 9);
        _ = await service.WaitAsync(id);
        _ = await service.DeleteAsync(id);
    }

    /// <summary>Makes a FIFO (0600) in the bed's directory and returns its path.</summary>
    public string Fifo(string name)
    {
        string path = _directory.Combine(name);
        Assert.That(FifoInterop.MkFifo(path, 0x180), Is.Zero, $"mkfifo {path}");
        return path;
    }

    /// <summary>The pid of the shim serving a container, from its directory.</summary>
    public int ShimPid()
    {
        string[] directories = Directory.GetDirectories(Shims);
        Assert.That(directories, Has.Length.EqualTo(1), "one shim");
        return int.Parse(File.ReadAllText(ShimPaths.PidFile(directories[0])), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The pids of every live shim under <see cref="Shims"/> (a shared shim's tasks link to one directory).</summary>
    public int[] ShimPids()
        => Directory.Exists(Shims)
            ? Directory.GetDirectories(Shims)
                .Select(d => ShimPaths.PidFile(d))
                .Where(File.Exists)
                .Select(f => int.Parse(File.ReadAllText(f), System.Globalization.CultureInfo.InvariantCulture))
                .Where(IsAlive)
                .Distinct()
                .ToArray()
            : [];

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; false when it never did.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        for (int i = 0; i < 2400 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        return condition();
    }

    /// <summary>
    /// Whether the process runs (not a zombie). Since session 20 the host reaps the shims it started at once, so the /proc
    /// entry can go between two reads: the probe reads it once and takes a vanished entry for "not alive".
    /// </summary>
    public static bool IsAlive(int pid) => Client.ShimProbe.IsAlive(pid);

    public void Dispose()
    {
        // Anything a failed test left: kill the shims (their containers are cleaned by delete --force below).
        if (Directory.Exists(Shims))
        {
            foreach (string shim in Directory.GetDirectories(Shims))
            {
                if (int.TryParse(ReadIfThere(ShimPaths.PidFile(shim)), out int pid) && IsAlive(pid))
                {
                    try
                    {
                        System.Diagnostics.Process.GetProcessById(pid).Kill();
                    }
                    catch (ArgumentException)
                    {
                    }
                }

                foreach (string task in ListIfThere(ShimPaths.Tasks(shim)))
                {
                    ShimTaskRecord? record = ShimFiles.TryRead(ShimPaths.TaskRecord(task), ShimJsonContext.Default.ShimTaskRecord);
                    if (record is not null)
                    {
                        _ = Tool.RunAsync(record.Runtime, ["--root", ShimPaths.RuntimeRoot(shim), "delete", "--force", record.Id]).GetAwaiter().GetResult();
                    }
                }
            }
        }

        _directory.Dispose();
    }

    /// <summary>The directories under <paramref name="path"/>, none when it is gone (as <see cref="ReadIfThere"/>).</summary>
    private static string[] ListIfThere(string path)
    {
        try
        {
            return Directory.GetDirectories(path);
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>A file's text, or "" when it is gone — a shim whose last task was deleted removes its directory as it exits, also between a check and a read.</summary>
    private static string ReadIfThere(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }
}
