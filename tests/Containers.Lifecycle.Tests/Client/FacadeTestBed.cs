using Containers.Client;
using Containers.DependencyInjection;
using Containers.Images;
using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;
using Containers.Snapshots;
using Containers.Tasks;
using Containers.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// One runtime for facade tests: <c>AddContainerRuntime</c> over a fresh root and state directory, the
/// published runcs as shim, a <see cref="BusyboxInRegistry"/> image, and a cleanup that kills any shim a
/// failed test left (the image's disposal unmounts what is left).
/// </summary>
internal sealed class FacadeTestBed : IAsyncDisposable
{
    /// <summary>The namespace of the facade tests (also their containers' parent cgroup).</summary>
    public const string Namespace = "facade-tests";

    private readonly BusyboxInRegistry _image;
    private readonly List<ServiceProvider> _providers = [];

    private FacadeTestBed(BusyboxInRegistry image, string runcs)
    {
        _image = image;
        Runcs = runcs;
    }

    public LocalRegistry Registry => _image.Registry;

    public string Runcs { get; }

    /// <summary>The busybox image's reference in the local registry.</summary>
    public string Reference => _image.Reference;

    public string Root => Directory.Combine("root");

    public string State => Directory.Combine("state");

    public TempDirectory Directory => _image.Directory;

    public static async Task<FacadeTestBed> CreateAsync()
    {
        TestHost.RequireRoot("runs containers through shims on overlayfs");
        if (!OverlaySnapshotter.IsSupported())
        {
            Assert.Ignore("needs overlayfs");
        }

        BusyboxInRegistry image = await BusyboxInRegistry.StartAsync("facade-", "test/busybox");
        return new FacadeTestBed(image, await RuncsPublisher.GetPathAsync());
    }

    /// <summary>A new service provider over this bed's root and state (several may share them, as two application runs would).</summary>
    public ServiceProvider NewProvider(Action<ContainerRuntimeOptions>? configure = null)
    {
        ServiceCollection services = new();
        services.AddLogging();
        services.AddContainerRuntime(o =>
        {
            o.Root = Root;
            o.State = State;
            o.Namespace = Namespace;
            o.RuncsPath = Runcs;
            configure?.Invoke(o);
        });
        ServiceProvider provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>A client of a new provider, with the busybox image pulled.</summary>
    public async Task<(ContainerClient Client, Image Image)> NewClientAsync()
    {
        ContainerClient client = NewProvider().GetRequiredService<ContainerClient>();
        return (client, await client.PullAsync(Reference));
    }

    /// <summary>Everything mounted under the bed's directory now (mountinfo mount points).</summary>
    public IReadOnlyList<string> MountsUnder()
        => File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(p => p.StartsWith(Directory.Path, StringComparison.Ordinal)).ToArray();

    /// <summary>What is left under <c>State/fifo</c> (execs' FIFO directories; an init's FIFOs live in its bundle), none when it was never made.</summary>
    public string[] FifoEntries()
        => System.IO.Directory.Exists(Path.Combine(State, "fifo")) ? System.IO.Directory.GetFileSystemEntries(Path.Combine(State, "fifo")) : [];

    /// <summary>
    /// Running shims (their directories) in the state directory, but for the spare shim each live provider keeps
    /// (<see cref="ContainerRuntimeOptions.SpareShim"/>, on by default): that one has served no task.
    /// <see cref="AllShims"/> counts it too.
    /// </summary>
    public IReadOnlyList<string> Shims()
    {
        HashSet<string> spares = [.. _providers.Select(SpareOf).OfType<string>()];
        return [.. AllShims().Where(s => !spares.Contains(s))];
    }

    /// <summary>Every shim directory in the state directory, spares included.</summary>
    public IReadOnlyList<string> AllShims()
        => System.IO.Directory.Exists(Path.Combine(State, "shims")) ? System.IO.Directory.GetDirectories(Path.Combine(State, "shims")) : [];

    /// <summary>The spare shim directory of a provider's task service; none once the provider is disposed.</summary>
    public static string? SpareOf(ServiceProvider provider)
    {
        try
        {
            return (provider.GetRequiredService<ITaskService>() as ShimTaskService)?.SpareShimDirectory;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>
    /// The shims left once those that are exiting have gone (up to 10 s): a shim removes its directory just after it
    /// answered the delete of its last task, so a check made at once can still see it.
    /// </summary>
    public IReadOnlyList<string> ShimsAfterExits()
    {
        for (int i = 0; i < 200 && Shims().Count > 0; i++)
        {
            Thread.Sleep(50);
        }

        return Shims();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string shim in AllShims())
        {
            if (int.TryParse(File.Exists(ShimPaths.PidFile(shim)) ? File.ReadAllText(ShimPaths.PidFile(shim)) : "", out int pid))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
            }

            foreach (string task in System.IO.Directory.Exists(ShimPaths.Tasks(shim)) ? System.IO.Directory.GetDirectories(ShimPaths.Tasks(shim)) : [])
            {
                ShimTaskRecord? record = ShimFiles.TryRead(ShimPaths.TaskRecord(task), ShimJsonContext.Default.ShimTaskRecord);
                if (record is not null)
                {
                    _ = await Tool.RunAsync(record.Runtime, ["--root", ShimPaths.RuntimeRoot(shim), "delete", "--force", record.Id]);
                }
            }
        }

        try
        {
            foreach (ServiceProvider provider in _providers)
            {
                await provider.DisposeAsync();
            }
        }
        finally
        {
            // Unmounts what is left under the directory, stops the registry, removes the directory — also when a
            // provider's dispose failed (a failing teardown once left the registry process running).
            await _image.DisposeAsync();
        }
    }
}
