using Containers.Events;
using Containers.Leases;
using Containers.Metadata;
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
    /// in <see cref="ContainerRuntimeOptions.Namespace"/>. Options are validated when first resolved and,
    /// in a host, at start.
    /// Not registered yet, because they do not exist yet: content and image stores, snapshotters, the
    /// unpacker, <c>ITaskService</c>, the shim host and its recovery service, garbage collection, and the
    /// <c>ContainerClient</c> facade.
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
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
