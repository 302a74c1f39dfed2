using Containers.Images;

namespace Containers.Events;

/// <summary>
/// An <see cref="IImageStore"/> that publishes <c>/images/create</c>, <c>/images/update</c> and
/// <c>/images/delete</c> after each successful change of the store it wraps, as containerd's image service
/// (services/images/local.go) does: <see cref="ImageCreate"/> and <see cref="ImageUpdate"/> carry the name and
/// the labels of the stored record, <see cref="ImageDelete"/> the name. A failed call publishes nothing.
/// </summary>
public sealed class PublishingImageStore : IImageStore
{
    private readonly IEventBus _events;
    private readonly string _namespace;

    /// <summary>Wraps an image store.</summary>
    /// <param name="inner">The store that keeps the records.</param>
    /// <param name="events">Where the events go.</param>
    /// <param name="namespace">The namespace of <paramref name="inner"/>, stamped on each event.</param>
    public PublishingImageStore(IImageStore inner, IEventBus events, string @namespace)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        _namespace = @namespace;
    }

    /// <summary>The wrapped store (changes made through it publish nothing).</summary>
    public IImageStore Inner { get; }

    /// <inheritdoc/>
    public ValueTask<Image> GetAsync(string name, CancellationToken cancellationToken = default) => Inner.GetAsync(name, cancellationToken);

    /// <inheritdoc/>
    public IAsyncEnumerable<Image> ListAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default)
        => Inner.ListAsync(filters, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<Image> CreateAsync(Image image, CancellationToken cancellationToken = default)
    {
        Image created = await Inner.CreateAsync(image, cancellationToken).ConfigureAwait(false);
        // Not cancellable once the record exists: the change happened and must be told.
        await _events.PublishAsync(_namespace, new ImageCreate(created.Name, created.Labels), CancellationToken.None).ConfigureAwait(false);
        return created;
    }

    /// <inheritdoc/>
    public async ValueTask<Image> UpdateAsync(Image image, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default)
    {
        Image updated = await Inner.UpdateAsync(image, fieldPaths, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(_namespace, new ImageUpdate(updated.Name, updated.Labels), CancellationToken.None).ConfigureAwait(false);
        return updated;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string name, Digest? expectedTarget = null, CancellationToken cancellationToken = default)
    {
        await Inner.DeleteAsync(name, expectedTarget, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(_namespace, new ImageDelete(name), CancellationToken.None).ConfigureAwait(false);
    }
}
