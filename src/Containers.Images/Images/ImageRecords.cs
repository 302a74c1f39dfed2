using Containers.Oci.Image;

namespace Containers.Images;

/// <summary>Helpers over <see cref="IImageStore"/> shared by pull and import.</summary>
public static class ImageRecords
{
    /// <summary>
    /// Points <paramref name="name"/> at <paramref name="target"/>: creates the record, or when it
    /// exists moves its target (containerd's pull and import do the same), keeping other labels.
    /// </summary>
    /// <param name="store">The image store.</param>
    /// <param name="name">The image name.</param>
    /// <param name="target">The root manifest or index.</param>
    /// <param name="labels">Labels to set on the record (added to existing ones).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record.</returns>
    public static async ValueTask<Image> CreateOrUpdateAsync(IImageStore store, string name, Descriptor target,
        IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(target);
        labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
        // Create and update race with other writers; retry the other way round when the record appears or vanishes.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await store.CreateAsync(new Image(name, target) { Labels = labels }, cancellationToken).ConfigureAwait(false);
            }
            catch (AlreadyExistsException)
            {
            }

            try
            {
                List<string> paths = ["target", .. labels.Keys.Select(key => "labels." + key)];
                return await store.UpdateAsync(new Image(name, target) { Labels = labels }, paths, cancellationToken).ConfigureAwait(false);
            }
            catch (NotFoundException) when (attempt < 8)
            {
            }
        }
    }
}
