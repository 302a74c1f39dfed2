using Containers.Client;
using Containers.Content;
using Containers.Events;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Lifecycle.Tasks;
using Containers.Metadata;
using Containers.Registry;
using Containers.Snapshots;
using Containers.Tasks;
using Containers.Unpack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Containers.DependencyInjection;

/// <summary>Registers the container runtime's services.</summary>
public static class ContainerRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Registers, as singletons and only where not registered already (<c>TryAdd</c>):
    /// <see cref="MetadataDatabase"/> (<c>Root/metadata.db</c>), <see cref="IEventBus"/>
    /// (<see cref="InProcessEventBus"/>), <see cref="IContainerStore"/> and <see cref="ILeaseManager"/>
    /// in <see cref="ContainerRuntimeOptions.Namespace"/>; the content store (<see cref="LocalContentStore"/>
    /// in <c>Root/content</c>, as <see cref="IContentStore"/> wrapped in a <see cref="PublishingContentStore"/>) and
    /// the image store (<see cref="SqliteImageStore"/>, as <see cref="IImageStore"/> wrapped in a
    /// <see cref="PublishingImageStore"/>), both keeping their records in <c>Root/metadata.db</c>; the snapshotter
    /// named by <see cref="ContainerRuntimeOptions.Snapshotter"/> (<c>overlayfs</c> or <c>native</c>, in
    /// <c>Root/snapshots/&lt;name&gt;</c>, or one of <see cref="ContainerRuntimeOptions.Snapshotters"/>) as <see cref="ISnapshotter"/>, wrapped in a
    /// <see cref="PublishingSnapshotter"/> (an application's own registration of one of these, made before this call,
    /// is wrapped the same way), and a <see cref="SnapshotterSet"/> of it, the other built-in one and the application's (opened when a
    /// container names it in <see cref="ContainerOptions.Snapshotter"/>, or at start when it holds snapshots): every
    /// change made through these services publishes containerd's image, content and snapshot events on the bus, in
    /// the namespace; the <see cref="GarbageCollector"/> over the unwrapped stores and every open snapshotter of the
    /// set (it publishes what containerd 2.x's collector does, marked so that it starts no further collection); the
    /// <see cref="Unpacker"/> into the default snapshotter;
    /// a <see cref="RegistryClient"/> with default options; <see cref="ITaskService"/> as a
    /// <see cref="ShimTaskService"/> (shims in <c>State/shims</c>, started from
    /// <see cref="ContainerRuntimeOptions.RuncsPath"/>, driving <see cref="ContainerRuntimeOptions.Runtime"/>
    /// or runcs); the <see cref="ContainerClient"/> facade; <see cref="ShimRecoveryService"/>, an
    /// <see cref="IHostedService"/> that reconnects to every shim of the namespace when a host starts; and
    /// <see cref="GarbageCollectionScheduler"/>, a hosted service that collects garbage after deletions and
    /// changes of the metadata as <see cref="ContainerRuntimeOptions.Gc"/> says.
    /// Options are validated when first resolved and, in a host, at start.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, or <see langword="null"/> for the defaults.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddContainerRuntime(this IServiceCollection services, Action<ContainerRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<ContainerRuntimeOptions> options = services.AddOptions<ContainerRuntimeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ContainerRuntimeOptions>, ContainerRuntimeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            Directory.CreateDirectory(o.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var database = new MetadataDatabase(Path.Combine(o.Root, "metadata.db"));
            ILogger logger = sp.GetService<ILoggerFactory>()?.CreateLogger("Containers.Lifecycle") ?? NullLogger.Instance;
            ContainerRuntimeLog.OpenedMetadata(logger, database.Path);
            return database;
        });
        services.TryAddSingleton<IEventBus>(sp => new InProcessEventBus(
            new EventBusOptions { SubscriberCapacity = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.EventSubscriberCapacity },
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IContainerStore>(sp => new SqliteContainerStore(
            sp.GetRequiredService<MetadataDatabase>(),
            sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace,
            sp.GetRequiredService<IEventBus>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ILeaseManager>(sp => new SqliteLeaseManager(
            sp.GetRequiredService<MetadataDatabase>(),
            sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GarbageCollector>));
        services.TryAddSingleton(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            return new LocalContentStore(Path.Combine(o.Root, "content"), o.Namespace, sp.GetRequiredService<MetadataDatabase>().Path);
        });
        // An application's own stores and snapshotter, registered before this call, are wrapped too: every change
        // through the registered services publishes, whoever made the service.
        WrapRegistered<IContentStore>(services, (sp, inner) => inner as PublishingContentStore
            ?? new PublishingContentStore(inner, sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace));
        WrapRegistered<IImageStore>(services, (sp, inner) => inner as PublishingImageStore
            ?? new PublishingImageStore(inner, sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace));
        WrapRegistered<ISnapshotter>(services, (sp, inner) =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            // Not disposing the application's snapshotter: the container disposes it as it would have unwrapped.
            return inner as PublishingSnapshotter ?? new PublishingSnapshotter(inner, o.Snapshotter, sp.GetRequiredService<IEventBus>(), o.Namespace, disposesInner: false);
        });
        services.TryAdd(PublishingRegistration.Singleton<IContentStore>(sp => new PublishingContentStore(
            sp.GetRequiredService<LocalContentStore>(), sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace)));
        services.TryAddSingleton(sp => new SqliteImageStore(
            sp.GetRequiredService<MetadataDatabase>().Path,
            sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAdd(PublishingRegistration.Singleton<IImageStore>(sp => new PublishingImageStore(
            sp.GetRequiredService<SqliteImageStore>(), sp.GetRequiredService<IEventBus>(), sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace)));
        services.TryAdd(PublishingRegistration.Singleton<ISnapshotter>(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            ISnapshotter snapshotter = OpenSnapshotter(sp, o, o.Snapshotter)
                ?? throw new UnsupportedException($"snapshotter \"{o.Snapshotter}\" is neither built in ({string.Join(", ", BuiltInSnapshotters)}) nor in ContainerRuntimeOptions.Snapshotters; add it there or register an ISnapshotter yourself");
            return new PublishingSnapshotter(snapshotter, o.Snapshotter, sp.GetRequiredService<IEventBus>(), o.Namespace);
        }));
        services.TryAddSingleton(sp => new PublishedStores(sp));
        services.TryAddSingleton(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            IEventBus events = sp.GetRequiredService<IEventBus>();
            // The other built-in snapshotters open when a container first names one (ContainerOptions.Snapshotter), or
            // at once when they hold snapshots of earlier processes, so the collector sees them.
            Dictionary<string, Func<ISnapshotter>> others = BuiltInSnapshotters.Concat(o.Snapshotters.Keys).Distinct(StringComparer.Ordinal).Where(n => n != o.Snapshotter).ToDictionary(
                n => n, n => (Func<ISnapshotter>)(() => new PublishingSnapshotter(OpenSnapshotter(sp, o, n)!, n, events, o.Namespace)), StringComparer.Ordinal);
            PublishedStores stores = sp.GetRequiredService<PublishedStores>();
            return new SnapshotterSet(o.Snapshotter, stores.Snapshotter, sp.GetRequiredService<Unpacker>(), others,
                (name, snapshotter) => new Unpacker(stores.Content, snapshotter, name, logger: sp.GetService<ILogger<Unpacker>>(), leases: sp.GetRequiredService<ILeaseManager>()),
                Unpublished,
                // The application's own are opened at once: where they keep snapshots is theirs to know.
                others.Keys.Where(n => o.Snapshotters.ContainsKey(n) || File.Exists(Path.Combine(o.Root, "snapshots", n, "metadata.db"))));
        });
        services.TryAddSingleton(sp => new GarbageCollector(
            sp.GetRequiredService<MetadataDatabase>(),
            sp.GetRequiredService<LocalContentStore>(),
            // Every snapshotter of the set that is open (it grows as containers name others), unwrapped: the collector
            // publishes its own removals (below), marked so they start no further collection.
            sp.GetRequiredService<SnapshotterSet>().ForCollector,
            sp.GetService<ILogger<GarbageCollector>>(),
            sp.GetRequiredService<TimeProvider>(),
            // What it removes is published as containerd 2.x's collector does (expired images, snapshots), marked so
            // the scheduler does not count it.
            sp.GetRequiredService<IEventBus>(),
            sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace));
        services.TryAddSingleton(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            PublishedStores stores = sp.GetRequiredService<PublishedStores>();
            return new Unpacker(stores.Content, stores.Snapshotter, o.Snapshotter, logger: sp.GetService<ILogger<Unpacker>>(),
                leases: sp.GetRequiredService<ILeaseManager>());
        });
        services.TryAddSingleton(_ => new RegistryClient());
        services.TryAddSingleton<ITaskService>(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            Directory.CreateDirectory(o.State, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return new ShimTaskService(
                new ShimTaskServiceOptions
                {
                    StateDirectory = o.State, ShimPath = ExecutablePath(o.RuncsPath), Namespace = o.Namespace, Runtime = o.Runtime,
                    WarmShims = o.WarmShims, SpareShim = o.SpareShim, SpareShimDelay = o.SpareShimDelay, WarmShimIdleTimeout = o.WarmShimIdleTimeout, ShimGroupIdleTimeout = o.ShimGroupIdleTimeout,
                },
                sp.GetRequiredService<IEventBus>());
        });
        services.TryAddSingleton(sp => new ContainerClient(
            sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value,
            sp.GetRequiredService<PublishedStores>().Content,
            sp.GetRequiredService<PublishedStores>().Images,
            sp.GetRequiredService<PublishedStores>().Snapshotter,
            sp.GetRequiredService<IContainerStore>(),
            sp.GetRequiredService<ILeaseManager>(),
            sp.GetRequiredService<ITaskService>(),
            sp.GetRequiredService<IEventBus>(),
            sp.GetRequiredService<Unpacker>(),
            sp.GetRequiredService<RegistryClient>(),
            sp.GetService<ILogger<ContainerClient>>(),
            sp.GetRequiredService<SnapshotterSet>()));
        services.TryAddSingleton(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            return new GarbageCollectionScheduler(sp.GetRequiredService<GarbageCollector>(), sp.GetRequiredService<MetadataDatabase>(), o.Gc,
                sp.GetService<ILogger<GarbageCollectionScheduler>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IEventBus>());
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ShimRecoveryService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GarbageCollectionScheduler>(sp => sp.GetRequiredService<GarbageCollectionScheduler>()));
        return services;
    }

    /// <summary>The snapshotters built in, each in <c>Root/snapshots/&lt;name&gt;</c>.</summary>
    private static readonly string[] BuiltInSnapshotters = ["overlayfs", "native"];

    /// <summary>The key under which an application's own registration of a wrapped service stays registered.</summary>
    private const string UnwrappedKey = "containers-dotnet/unwrapped";

    /// <summary>
    /// When the application registered <typeparamref name="TService"/> itself (its last, unkeyed registration), moves
    /// that registration under <see cref="UnwrappedKey"/> (so the container creates and disposes it as before) and
    /// registers in its place, with its lifetime, <paramref name="wrap"/> of it. A registration of ours (the
    /// runtime's own, or one this method made: a second <c>AddContainerRuntime</c>) is left alone, and
    /// <paramref name="wrap"/> returns a publishing decorator as it is, so nothing is wrapped twice.
    /// </summary>
    private static void WrapRegistered<TService>(IServiceCollection services, Func<IServiceProvider, TService, TService> wrap)
        where TService : class
    {
        int index = -1;
        for (int i = services.Count - 1; i >= 0 && index < 0; i--)
        {
            index = services[i].ServiceType == typeof(TService) && !services[i].IsKeyedService ? i : -1;
        }

        if (index < 0 || services[index].ImplementationFactory?.Target is PublishingRegistration)
        {
            return;
        }

        ServiceDescriptor registered = services[index];
        const string key = UnwrappedKey;
        services.Add(registered.ImplementationInstance is { } instance
            ? new ServiceDescriptor(typeof(TService), key, instance)
            : registered.ImplementationFactory is { } factory
                ? new ServiceDescriptor(typeof(TService), key, (sp, _) => factory(sp), registered.Lifetime)
                : new ServiceDescriptor(typeof(TService), key, registered.ImplementationType!, registered.Lifetime));
        services[index] = new ServiceDescriptor(typeof(TService), new PublishingRegistration(sp => wrap(sp, sp.GetRequiredKeyedService<TService>(key))).Create, registered.Lifetime);
    }

    /// <summary>The factory of a registration that gives a publishing service, recognisable so it is not wrapped again.</summary>
    private sealed class PublishingRegistration(Func<IServiceProvider, object> create)
    {
        public static ServiceDescriptor Singleton<TService>(Func<IServiceProvider, TService> create)
            where TService : class
            => new(typeof(TService), new PublishingRegistration(create).Create, ServiceLifetime.Singleton);

        public object Create(IServiceProvider services) => create(services);
    }

    private static ISnapshotter Unpublished(ISnapshotter snapshotter) => snapshotter is PublishingSnapshotter publishing ? publishing.Inner : snapshotter;

    /// <summary>The snapshotter of that name: the application's (<see cref="ContainerRuntimeOptions.Snapshotters"/>), else a built-in one, else null.</summary>
    private static ISnapshotter? OpenSnapshotter(IServiceProvider services, ContainerRuntimeOptions o, string name)
    {
        if (o.Snapshotters.TryGetValue(name, out Func<IServiceProvider, ISnapshotter>? factory))
        {
            return factory(services) ?? throw new UnsupportedException($"the factory of snapshotter \"{name}\" (ContainerRuntimeOptions.Snapshotters) made none");
        }

        string root = Path.Combine(o.Root, "snapshots", name);
        return name switch
        {
            "overlayfs" => new OverlaySnapshotter(root, new OverlaySnapshotterOptions { BackgroundRemoval = true, SpareDirectory = true }, services.GetRequiredService<TimeProvider>()),
            "native" => new NativeSnapshotter(root, services.GetRequiredService<TimeProvider>()),
            _ => null,
        };
    }

    /// <summary>A bare name is looked up in PATH, as a shell would (the shim is started with posix_spawn, which does not search).</summary>
    internal static string ExecutablePath(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return Path.GetFullPath(name);
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new NotFoundException("executable", name);
    }
}
