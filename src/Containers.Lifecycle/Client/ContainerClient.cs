using System.Text;
using System.Text.Json;
using Containers.Content;
using Containers.DependencyInjection;
using Containers.Distribution;
using Containers.Events;
using Containers.Images;
using Containers.Images.Pull;
using Containers.Leases;
using Containers.Metadata;
using Containers.Oci;
using Containers.Oci.Image;
using Containers.Oci.Runtime;
using Containers.Registry;
using Containers.Snapshots;
using Containers.Snapshots.Mounting;
using Containers.Tasks;
using Containers.Unpack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mount = Containers.Mounts.Mount;

namespace Containers.Client;

/// <summary>
/// The common path over the runtime's services, as containerd's Go client is: pull an image, run a
/// container and get its output, or create containers and drive their tasks. Get it from
/// <c>services.AddContainerRuntime(…)</c>; it works in <see cref="ContainerRuntimeOptions.Namespace"/>.
/// </summary>
/// <example>
/// <code>
/// await using ServiceProvider services = new ServiceCollection().AddContainerRuntime().BuildServiceProvider();
/// ContainerClient client = services.GetRequiredService&lt;ContainerClient&gt;();
/// Image image = await client.PullAsync("registry.example/library/busybox:latest");
/// RunResult result = await client.RunAsync(image, ["echo", "hello"]);
/// Console.Write(result.Stdout);
/// </code>
/// </example>
public sealed class ContainerClient
{
    /// <summary>The runtime name recorded for containers run by the shim (with runcs or another runc-compatible binary).</summary>
    public const string RuntimeName = "io.containers-dotnet.shim.v1";

    private const int UnpackedImagesLimit = 64;
    private static readonly TimeSpan LeaseExpiry = TimeSpan.FromHours(1);
    private readonly ContainerRuntimeOptions _options;
    private readonly IContentStore _content;
    private readonly IImageStore _images;
    private readonly ILeaseManager _leases;
    private readonly Unpacker _unpacker;
    private readonly SnapshotterSet _snapshotters;
    private readonly ImagePuller _puller;
    // (Snapshotter, image target digest) → its unpack result and parsed config, so a later create of the same
    // image only checks that the top snapshot still exists (one read) instead of re-reading manifest and config
    // and stat-ing each layer (~3 ms a run). Bounded: cleared when it holds more than UnpackedImagesLimit.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Snapshotter, Digest Target), (UnpackResult Unpacked, ImageConfig Config)> _unpackedImages = new();
    private readonly SpecRootfsCache _specRootfs = new();

    /// <summary>Creates a client over the runtime's services (<c>AddContainerRuntime</c> registers one).</summary>
    /// <param name="options">Namespace, state directory and snapshotter name.</param>
    /// <param name="content">The content store images are pulled into.</param>
    /// <param name="images">The image store.</param>
    /// <param name="snapshotter">The snapshotter named by <see cref="ContainerRuntimeOptions.Snapshotter"/>.</param>
    /// <param name="containers">The container store of the namespace.</param>
    /// <param name="leases">The lease manager of the namespace (pulls and creates hold a lease).</param>
    /// <param name="tasks">The task service of the namespace.</param>
    /// <param name="events">The event bus.</param>
    /// <param name="unpacker">Unpacks images into <paramref name="snapshotter"/>.</param>
    /// <param name="registry">Fetches images.</param>
    /// <param name="logger">Receives what the client does.</param>
    /// <param name="snapshotters">
    /// The snapshotters a container can name in <see cref="ContainerOptions.Snapshotter"/> (its default must be
    /// <paramref name="snapshotter"/>, named as <see cref="ContainerRuntimeOptions.Snapshotter"/>);
    /// <see langword="null"/>: only <paramref name="snapshotter"/>.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="snapshotters"/>' default is not <paramref name="snapshotter"/>.</exception>
    public ContainerClient(ContainerRuntimeOptions options, IContentStore content, IImageStore images, ISnapshotter snapshotter, IContainerStore containers,
        ILeaseManager leases, ITaskService tasks, IEventBus events, Unpacker unpacker, RegistryClient registry, ILogger<ContainerClient>? logger = null,
        SnapshotterSet? snapshotters = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _content = content ?? throw new ArgumentNullException(nameof(content));
        _images = images ?? throw new ArgumentNullException(nameof(images));
        Snapshotter = snapshotter ?? throw new ArgumentNullException(nameof(snapshotter));
        Containers = containers ?? throw new ArgumentNullException(nameof(containers));
        _leases = leases ?? throw new ArgumentNullException(nameof(leases));
        Tasks = tasks ?? throw new ArgumentNullException(nameof(tasks));
        Events = events ?? throw new ArgumentNullException(nameof(events));
        _unpacker = unpacker ?? throw new ArgumentNullException(nameof(unpacker));
        _snapshotters = snapshotters ?? new SnapshotterSet(options.Snapshotter, snapshotter, unpacker);
        if (_snapshotters.DefaultName != options.Snapshotter || !ReferenceEquals(_snapshotters.Default, snapshotter))
        {
            throw new ArgumentException($"the set's default snapshotter must be the client's ({options.Snapshotter})", nameof(snapshotters));
        }

        // One puller for all pulls: concurrent pulls of the same blob fetch it once.
        _puller = new ImagePuller(registry ?? throw new ArgumentNullException(nameof(registry)), content, images);
        Logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The namespace the client works in.</summary>
    public string Namespace => _options.Namespace;

    /// <summary>The event bus: <c>Events.SubscribeAsync(filter)</c> streams container, task, image and snapshot events.</summary>
    public IEventBus Events { get; }

    /// <summary>The container store the client's containers are recorded in.</summary>
    public IContainerStore Containers { get; }

    /// <summary>The task service that runs the containers' tasks.</summary>
    public ITaskService Tasks { get; }

    /// <summary>The default snapshotter: images are unpacked into it, and containers that name no other get their root filesystems from it.</summary>
    public ISnapshotter Snapshotter { get; }

    /// <summary>The default snapshotter's name, recorded in each container that names no other.</summary>
    public string SnapshotterName => _options.Snapshotter;

    /// <summary>The snapshotters a container can name (<see cref="ContainerOptions.Snapshotter"/>).</summary>
    public SnapshotterSet Snapshotters => _snapshotters;

    internal ILogger Logger { get; }

    /// <summary>Where bundles live: <c>&lt;State&gt;/bundles/&lt;namespace&gt;/&lt;id&gt;</c>.</summary>
    internal string BundleDirectory(string id) => Path.Combine(_options.State, "bundles", _options.Namespace, id);

    /// <summary>Where execs' stdio FIFOs lived before session 16 (one 0700 directory per process); a task's delete still removes those a live shim names.</summary>
    internal string FifoRoot => Path.Combine(_options.State, "fifo");

    /// <summary>
    /// Where a task's execs get their FIFO directories: <c>execs</c> in the task's bundle (0700, beside the init's
    /// FIFOs), so the task's delete finds and removes them with the bundle even when the shim that knew their paths
    /// died. <see cref="FifoRoot"/> when the task has no bundle here (a task this client did not make).
    /// </summary>
    internal string ExecFifoRoot(string id)
    {
        string bundle = BundleDirectory(id);
        return Directory.Exists(bundle) ? Path.Combine(bundle, BundleFiles.ExecFifos) : FifoRoot;
    }

    /// <summary>
    /// Pulls an image and unpacks it into the snapshotter, holding a lease for both so a concurrent
    /// garbage collection keeps what the pull fetched and the layers unpacked so far.
    /// </summary>
    /// <param name="reference">The reference, for example <c>registry.example/library/busybox:latest</c> (the tag defaults to <c>latest</c>).</param>
    /// <param name="progress">Receives the pull's phases and blob progress.</param>
    /// <param name="cancellationToken">Stops the pull; what was fetched stays resumable until the lease expires.</param>
    /// <returns>The image record.</returns>
    /// <exception cref="InvalidReferenceException">The reference is malformed.</exception>
    /// <exception cref="NotFoundException">The registry has no such image, or none for this platform.</exception>
    /// <exception cref="DigestMismatchException">Content did not match its digest.</exception>
    public async Task<Image> PullAsync(string reference, IProgress<PullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageReference parsed = ImageReference.Parse(reference).WithDefaultTag();
        Lease lease = await _leases.CreateAsync(null, LeaseExpiry, null, cancellationToken).ConfigureAwait(false);
        try
        {
            PulledImage pulled = await _puller.PullAsync(parsed, new PullOptions { LeaseManager = _leases, LeaseId = lease.Id }, progress, cancellationToken).ConfigureAwait(false);
            // The unpack's commits are held by the lease until the config's gc.ref.snapshot label names the top.
            foreach (Digest chainId in ChainIds.Compute(pulled.Config.RootFs.DiffIds))
            {
                await _leases.AddResourceAsync(lease.Id, LeaseResource.ForSnapshot(SnapshotterName, chainId.ToString()), cancellationToken).ConfigureAwait(false);
            }

            Image image = await _images.GetAsync(parsed.ToString(), cancellationToken).ConfigureAwait(false);
            UnpackResult unpacked = await _unpacker.UnpackAsync(image, null, null, cancellationToken).ConfigureAwait(false);
            ContainerClientLog.Pulled(Logger, image.Name, image.Target.Digest.ToString(), unpacked.Applied, unpacked.Skipped);
            return image;
        }
        finally
        {
            await _leases.DeleteAsync(lease.Id, synchronous: false, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Returns an image record by name (a normalised reference such as <c>docker.io/library/busybox:latest</c>).</summary>
    /// <exception cref="NotFoundException">No image has that name.</exception>
    public async Task<Image> GetImageAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        try
        {
            return await _images.GetAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException) when (TryNormalise(name) is { } normalised && normalised != name)
        {
            return await _images.GetAsync(normalised, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes an image record, as containerd's image service does, and publishes <c>/images/delete</c>: the
    /// <see cref="GarbageCollection.GarbageCollectionScheduler"/> of <c>AddContainerRuntime</c> counts it as a
    /// deletion and collects what only the image held (its blobs and unpacked snapshots) without waiting for
    /// a scheduled run. Containers made from it keep their own snapshots.
    /// </summary>
    /// <param name="name">The image name (a bare reference is normalised, as <see cref="GetImageAsync"/> does).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No image has that name.</exception>
    public async Task DeleteImageAsync(string name, CancellationToken cancellationToken = default)
    {
        Image image = await GetImageAsync(name, cancellationToken).ConfigureAwait(false);
        await _images.DeleteAsync(image.Name, image.Target.Digest, cancellationToken).ConfigureAwait(false);
        foreach (string snapshotterName in _snapshotters.Names)
        {
            _ = _unpackedImages.TryRemove((snapshotterName, image.Target.Digest), out _);
        }

        if (_images is not PublishingImageStore)
        {
            // A store that publishes (AddContainerRuntime's) has told the bus already.
            await Events.PublishAsync(Namespace, new ImageDelete(image.Name), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a container to its end, as <c>ctr run --rm</c> does: create the container (a snapshot on the
    /// image, a spec from the image config, <paramref name="args"/> and the options), create and start its
    /// task with stdout and stderr captured (or streamed to <see cref="RunOptions.Stdout"/> and
    /// <see cref="RunOptions.Stderr"/>), wait, then delete the task and the container. Cancelling
    /// kills the process (SIGKILL) and cleans up the same way.
    /// </summary>
    /// <param name="image">The image (from <see cref="PullAsync"/> or <see cref="GetImageAsync"/>).</param>
    /// <param name="args">argv replacing the image's entrypoint and command; empty keeps the image's.</param>
    /// <param name="options">Spec options, runtime, labels, id and stdin.</param>
    /// <param name="cancellationToken">Kills the container and cleans up.</param>
    /// <returns>The exit status and the output.</returns>
    /// <exception cref="InvalidSpecException">An option or the resulting spec is invalid (nothing is left).</exception>
    /// <exception cref="AlreadyExistsException">A container with <see cref="RunOptions.Id"/> exists.</exception>
    public async Task<RunResult> RunAsync(Image image, IReadOnlyList<string> args, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(args);
        options ??= new RunOptions();
        if (options.Terminal && options.Stderr is not null)
        {
            throw new InvalidSpecException("stderr", "a terminal merges stderr into stdout: give only Stdout");
        }

        string id = options.Id ?? "run-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 8);
        if (options.ShimGroup is null && Tasks is Lifecycle.Tasks.ShimTaskService shims)
        {
            // The task will want a shim of its own: when none is ahead (a burst), it starts now, beside the container's creation.
            shims.PrestartSpareShim();
        }

        Container container = await CreateContainerAsync(id, image, options, args.Count > 0 ? args : options.Args, cancellationToken).ConfigureAwait(false);
        try
        {
            using MemoryStream stdout = new();
            using MemoryStream stderr = new();
            ExitStatus status;
            // Created and started in one call to the shim (nobody needs to see the task created first), on a rootfs that
            // is deleted with the container at the end (mounted without the sync at its unmount).
            ContainerTask task = await container.NewTaskCoreAsync(new ProcessIO { Stdin = options.Stdin, Stdout = options.Stdout ?? stdout, Stderr = options.Terminal ? null : options.Stderr ?? stderr, Terminal = options.Terminal }, start: true, ephemeral: true, cancellationToken).ConfigureAwait(false);
            try
            {
                try
                {
                    status = await task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // A running task cannot be deleted: kill it and wait for its end first.
                    await task.KillAsync(9, all: true, CancellationToken.None).ConfigureAwait(false);
                    _ = await task.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                    throw;
                }
            }
            finally
            {
                status = await task.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return new RunResult(id, status, Encoding.UTF8.GetString(stdout.GetBuffer(), 0, (int)stdout.Length), Encoding.UTF8.GetString(stderr.GetBuffer(), 0, (int)stderr.Length));
        }
        finally
        {
            await container.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a container from the image named <paramref name="image"/>; see <see cref="RunAsync(Image, IReadOnlyList{string}, RunOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="NotFoundException">No image has that name (pull it first).</exception>
    public async Task<RunResult> RunAsync(string image, IReadOnlyList<string> args, RunOptions? options = null, CancellationToken cancellationToken = default)
        => await RunAsync(await GetImageAsync(image, cancellationToken).ConfigureAwait(false), args, options, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Creates a container: the image is unpacked (if it was not), an active snapshot keyed
    /// <c>&lt;namespace&gt;/&lt;id&gt;</c> is prepared on its top layer, the spec is generated from the image
    /// config and <paramref name="options"/> (user and group names are read from the snapshot, mounted
    /// for that moment), and the record is stored. A failure at any step leaves no record and no
    /// snapshot; a lease holds the snapshot until the record references it.
    /// </summary>
    /// <param name="id">The container id (containerd's identifier rule).</param>
    /// <param name="image">The image.</param>
    /// <param name="options">Args, spec options, runtime and labels.</param>
    /// <param name="cancellationToken">Cancels the creation (nothing is left).</param>
    /// <returns>A handle on the container.</returns>
    /// <exception cref="InvalidSpecException">The id, an option or the resulting spec is invalid.</exception>
    /// <exception cref="AlreadyExistsException">A container with that id exists.</exception>
    public Task<Container> CreateContainerAsync(string id, Image image, ContainerOptions? options = null, CancellationToken cancellationToken = default)
        => CreateContainerAsync(id, image, options ?? new ContainerOptions(), options?.Args, cancellationToken);

    private async Task<Container> CreateContainerAsync(string id, Image image, ContainerOptions options, IReadOnlyList<string>? args, CancellationToken cancellationToken)
    {
        Identifiers.Validate(id, "id");
        ArgumentNullException.ThrowIfNull(image);
        if (options.Runtime is not null && !Path.IsPathFullyQualified(options.Runtime))
        {
            throw new InvalidSpecException("runtime", $"\"{options.Runtime}\" must be an absolute path to a runc-compatible binary");
        }

        if (options.ShimGroup is not null)
        {
            Identifiers.Validate(options.ShimGroup, "shimGroup");
        }

        string snapshotterName = options.Snapshotter ?? SnapshotterName;
        if (!_snapshotters.Contains(snapshotterName))
        {
            throw new InvalidSpecException("snapshotter", $"no snapshotter \"{snapshotterName}\" (there are: {string.Join(", ", _snapshotters.Names)})");
        }

        if (await TryGetRecordAsync(id, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new AlreadyExistsException("container", id);
        }

        ISnapshotter snapshotter = _snapshotters.Get(snapshotterName);
        (UnpackResult unpacked, ImageConfig config) = await UnpackedImageAsync(snapshotterName, image, cancellationToken).ConfigureAwait(false);
        string key = SnapshotKey(id);
        Lease lease = await _leases.CreateAsync(null, LeaseExpiry, null, cancellationToken).ConfigureAwait(false);
        bool prepared = false;
        try
        {
            await _leases.AddResourceAsync(lease.Id, LeaseResource.ForSnapshot(snapshotterName, key), cancellationToken).ConfigureAwait(false);
            Dictionary<string, string>? snapshotLabels = options.SnapshotLabels.Count > 0 ? new Dictionary<string, string>(options.SnapshotLabels, StringComparer.Ordinal) : null;
            IReadOnlyList<Mount> mounts = options.ReadOnlyRootfs
                ? await snapshotter.ViewAsync(key, unpacked.TopChainId.ToString(), snapshotLabels, cancellationToken).ConfigureAwait(false)
                : await snapshotter.PrepareAsync(key, unpacked.TopChainId.ToString(), snapshotLabels, cancellationToken).ConfigureAwait(false);
            prepared = true;
            Spec spec = await GenerateSpecAsync(id, mounts, unpacked.TopChainId.ToString(), config, args, AllSpecOptions(options), cancellationToken).ConfigureAwait(false);
            ContainerRecord record = await Containers.CreateAsync(new ContainerRecord(id, new RuntimeInfo(RuntimeName) { Options = RuntimeOptions(options.Runtime, options.ShimGroup) })
            {
                Image = image.Name,
                Spec = RuntimeSpecJson.Serialize(spec),
                Snapshotter = snapshotterName,
                SnapshotKey = key,
                Labels = new Dictionary<string, string>(options.Labels, StringComparer.Ordinal),
            }, cancellationToken).ConfigureAwait(false);
            ContainerClientLog.Created(Logger, id, image.Name, key);
            return new Container(this, record);
        }
        catch when (prepared)
        {
            await RemoveSnapshotAsync(snapshotterName, key).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await _leases.DeleteAsync(lease.Id, synchronous: false, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a container from the image named <paramref name="image"/>; see <see cref="CreateContainerAsync(string, Image, ContainerOptions?, CancellationToken)"/>.</summary>
    /// <exception cref="NotFoundException">No image has that name.</exception>
    public async Task<Container> CreateContainerAsync(string id, string image, ContainerOptions? options = null, CancellationToken cancellationToken = default)
        => await CreateContainerAsync(id, await GetImageAsync(image, cancellationToken).ConfigureAwait(false), options, cancellationToken).ConfigureAwait(false);

    /// <summary>Returns a handle on an existing container.</summary>
    /// <exception cref="NotFoundException">No container has that id.</exception>
    public async Task<Container> LoadContainerAsync(string id, CancellationToken cancellationToken = default)
        => new(this, await Containers.GetAsync(id, cancellationToken).ConfigureAwait(false));

    /// <summary>Lists the namespace's containers (containerd filters over <c>id</c>, <c>image</c>, <c>labels.k</c>…).</summary>
    public async IAsyncEnumerable<Container> ListContainersAsync(IReadOnlyList<string>? filters = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (ContainerRecord record in Containers.ListAsync(filters, cancellationToken).ConfigureAwait(false))
        {
            yield return new Container(this, record);
        }
    }

    /// <summary>The snapshot key of a container's root filesystem; the namespace is part of it because snapshots are shared by all namespaces.</summary>
    internal string SnapshotKey(string id) => _options.Namespace + "/" + id;

    /// <summary>The snapshotter a container's record names (its default when the record names none).</summary>
    /// <exception cref="InvalidSpecException">This client has no snapshotter of that name.</exception>
    internal ISnapshotter SnapshotterOf(ContainerRecord record) => _snapshotters.Get(string.IsNullOrEmpty(record.Snapshotter) ? SnapshotterName : record.Snapshotter);

    /// <summary>
    /// Removes a snapshot of the snapshotter named <paramref name="snapshotter"/>; one already gone is fine. A container's
    /// delete removes its rootfs <paramref name="uncounted"/>: the GC scheduler counted the delete already.
    /// </summary>
    internal async Task RemoveSnapshotAsync(string? snapshotter, string key, bool uncounted = false)
    {
        try
        {
            ISnapshotter store = _snapshotters.Get(string.IsNullOrEmpty(snapshotter) ? SnapshotterName : snapshotter);
            await (store is PublishingSnapshotter publishing
                ? publishing.RemoveAsync(key, counted: !uncounted, CancellationToken.None)
                : store.RemoveAsync(key, CancellationToken.None)).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
        }
    }

    /// <summary>The image unpacked (if it was not) and its config: from the cache when its top snapshot still exists.</summary>
    private async Task<(UnpackResult Unpacked, ImageConfig Config)> UnpackedImageAsync(string snapshotterName, Image image, CancellationToken cancellationToken)
    {
        (string, Digest) cacheKey = (snapshotterName, image.Target.Digest);
        if (_unpackedImages.TryGetValue(cacheKey, out (UnpackResult Unpacked, ImageConfig Config) known))
        {
            try
            {
                // The committed top snapshot exists, so its parents do (a snapshot's parent cannot go first).
                _ = await _snapshotters.Get(snapshotterName).StatAsync(known.Unpacked.TopChainId.ToString(), cancellationToken).ConfigureAwait(false);
                return known;
            }
            catch (NotFoundException)
            {
                _ = _unpackedImages.TryRemove(cacheKey, out _);
            }
        }

        UnpackResult unpacked = await _snapshotters.UnpackerFor(snapshotterName).UnpackAsync(image, null, null, cancellationToken).ConfigureAwait(false);
        ImageConfig config;
        IContentReader reader = await _content.OpenReaderAsync(unpacked.Config, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            Stream stream = reader.AsStream();
            await using (stream.ConfigureAwait(false))
            {
                config = await ImageSpecJson.ReadConfigAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }

        if (_unpackedImages.Count >= UnpackedImagesLimit)
        {
            _unpackedImages.Clear();
        }

        _unpackedImages[cacheKey] = (unpacked, config);
        return (unpacked, config);
    }

    private async Task<ContainerRecord?> TryGetRecordAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await Containers.GetAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return null;
        }
    }

    private async Task<Spec> GenerateSpecAsync(string id, IReadOnlyList<Mount> mounts, string topChainId, ImageConfig config, IReadOnlyList<string>? args, IEnumerable<SpecOption> options, CancellationToken cancellationToken)
    {
        List<SpecOption> all = [SpecOptions.WithImageConfig(config)];
        if (args is { Count: > 0 })
        {
            all.Add(SpecOptions.WithProcessArgs(args));
        }

        all.AddRange(options);
        bool ownOptions = SpecRootfsCache.AllOwn(all);
        if (ownOptions && _specRootfs.ReaderFor(topChainId) is { } cached)
        {
            // The image's user and group files, read by an earlier create: no mount (see SpecRootfsCache).
            return await SpecGenerator.GenerateAsync(new SpecContext(_options.Namespace, id) { FileReader = cached }, all, cancellationToken).ConfigureAwait(false);
        }

        // Names (user, groups) are looked up in the container's own rootfs, mounted here for that moment.
        string view = Path.Combine(_options.State, "spec-rootfs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(view, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            // An id-mapped snapshot (SnapshotLabels) mounts mapped here too: never unmapped, even for a lookup.
            MountHelper.MountAll(mounts, view, new Lifecycle.Mounting.RuncsUserNamespaceProvider(ContainerRuntimeServiceCollectionExtensions.ExecutablePath(_options.RuncsPath)));
            try
            {
                Spec spec = await SpecGenerator.GenerateAsync(new SpecContext(_options.Namespace, id) { RootfsPath = view }, all, cancellationToken).ConfigureAwait(false);
                if (ownOptions)
                {
                    await _specRootfs.RememberAsync(topChainId, view, cancellationToken).ConfigureAwait(false);
                }

                return spec;
            }
            finally
            {
                MountHelper.Unmount(view);
            }
        }
        finally
        {
            Directory.Delete(view);
        }
    }

    /// <summary>The caller's spec options, then those its other options imply (a terminal, a read-only rootfs).</summary>
    private static IEnumerable<SpecOption> AllSpecOptions(ContainerOptions options)
    {
        if (!options.ReadOnlyRootfs && options is not RunOptions { Terminal: true })
        {
            return options.Spec;
        }

        List<SpecOption> all = [.. options.Spec];
        if (options is RunOptions { Terminal: true })
        {
            all.Add(SpecOptions.WithTty());
        }

        if (options.ReadOnlyRootfs)
        {
            all.Add(SpecOptions.WithRootfsReadonly());
        }

        return all;
    }

    /// <summary>The shim task's options (<c>binaryName</c>, <c>shimGroup</c>), recorded in the container's runtime info.</summary>
    private static ReadOnlyMemory<byte> RuntimeOptions(string? runtime, string? shimGroup)
    {
        if (runtime is null && shimGroup is null)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        Dictionary<string, string> options = new(StringComparer.Ordinal);
        if (runtime is not null)
        {
            options[Lifecycle.Tasks.ShimTaskService.BinaryNameOption] = runtime;
        }

        if (shimGroup is not null)
        {
            options[Lifecycle.Tasks.ShimTaskService.ShimGroupOption] = shimGroup;
        }

        return JsonSerializer.SerializeToUtf8Bytes(options, ContainerClientJsonContext.Default.DictionaryStringString);
    }

    private static string? TryNormalise(string name)
    {
        try
        {
            return ImageReference.Parse(name).WithDefaultTag().ToString();
        }
        catch (InvalidReferenceException)
        {
            return null;
        }
    }
}
