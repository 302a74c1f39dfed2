using Containers.Content;
using Containers.Events;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Metadata;
using Containers.Snapshots;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    /// in <c>Root/content</c>, also as <see cref="IContentStore"/>) and the image store
    /// (<see cref="SqliteImageStore"/>, also as <see cref="IImageStore"/>), both keeping their records in
    /// <c>Root/metadata.db</c>; the snapshotter named by <see cref="ContainerRuntimeOptions.Snapshotter"/>
    /// (<c>overlayfs</c> or <c>native</c>, in <c>Root/snapshots/&lt;name&gt;</c>) as <see cref="ISnapshotter"/>;
    /// and the <see cref="GarbageCollector"/> over all of them. Options are validated when first resolved
    /// and, in a host, at start.
    /// Not registered yet, because they do not exist yet: the unpacker, <c>ITaskService</c>, the shim host
    /// and its recovery service, and the <c>ContainerClient</c> facade.
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
        services.TryAddSingleton<IContentStore>(sp => sp.GetRequiredService<LocalContentStore>());
        services.TryAddSingleton(sp => new SqliteImageStore(
            sp.GetRequiredService<MetadataDatabase>().Path,
            sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Namespace,
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IImageStore>(sp => sp.GetRequiredService<SqliteImageStore>());
        services.TryAddSingleton<ISnapshotter>(sp =>
        {
            ContainerRuntimeOptions o = sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
            string root = Path.Combine(o.Root, "snapshots", o.Snapshotter);
            return o.Snapshotter switch
            {
                "overlayfs" => new OverlaySnapshotter(root, timeProvider: sp.GetRequiredService<TimeProvider>()),
                "native" => new NativeSnapshotter(root, sp.GetRequiredService<TimeProvider>()),
                _ => throw new UnsupportedException($"snapshotter \"{o.Snapshotter}\" is not built in (overlayfs, native); register an ISnapshotter yourself"),
            };
        });
        services.TryAddSingleton(sp => new GarbageCollector(
            sp.GetRequiredService<MetadataDatabase>(),
            sp.GetRequiredService<LocalContentStore>(),
            new Dictionary<string, ISnapshotter>(StringComparer.Ordinal)
            {
                [sp.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value.Snapshotter] = sp.GetRequiredService<ISnapshotter>(),
            },
            sp.GetService<ILogger<GarbageCollector>>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
