using Containers.Content;
using Containers.Events;
using Containers.Images;
using Containers.Snapshots;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Containers.DependencyInjection;

/// <summary>
/// The content store, image store and snapshotter the runtime's own services (<see cref="Client.ContainerClient"/>,
/// <see cref="Unpack.Unpacker"/>) work through: the registered ones, each wrapped in its publishing decorator when it
/// is not one already — an application that registered its own after <c>AddContainerRuntime</c> replaced ours
/// unwrapped, and the runtime's changes must still publish. One wrapper each, shared; the application's objects are
/// not disposed by them.
/// </summary>
internal sealed class PublishedStores(IServiceProvider services)
{
    private readonly Lazy<IContentStore> _content = new(() => services.GetRequiredService<IContentStore>() switch
    {
        PublishingContentStore publishing => publishing,
        var content => new PublishingContentStore(content, services.GetRequiredService<IEventBus>(), Options(services).Namespace),
    });

    private readonly Lazy<IImageStore> _images = new(() => services.GetRequiredService<IImageStore>() switch
    {
        PublishingImageStore publishing => publishing,
        var images => new PublishingImageStore(images, services.GetRequiredService<IEventBus>(), Options(services).Namespace),
    });

    private readonly Lazy<ISnapshotter> _snapshotter = new(() => services.GetRequiredService<ISnapshotter>() switch
    {
        PublishingSnapshotter publishing => publishing,
        var snapshotter => new PublishingSnapshotter(snapshotter, Options(services).Snapshotter, services.GetRequiredService<IEventBus>(), Options(services).Namespace, disposesInner: false),
    });

    public IContentStore Content => _content.Value;

    public IImageStore Images => _images.Value;

    public ISnapshotter Snapshotter => _snapshotter.Value;

    private static ContainerRuntimeOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<ContainerRuntimeOptions>>().Value;
}
