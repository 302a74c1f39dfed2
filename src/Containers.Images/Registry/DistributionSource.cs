using Containers.Content;
using Containers.Distribution;
using Containers.Oci;

namespace Containers.Registry;

/// <summary>
/// containerd's <c>containerd.io/distribution.source.&lt;registry&gt;</c> content labels: which
/// repositories of a registry a blob was pulled from (comma-separated), so that a later push to the
/// same registry can ask for a cross-repository mount instead of uploading the bytes again.
/// </summary>
internal static class DistributionSource
{
    public const string LabelPrefix = "containerd.io/distribution.source.";

    /// <summary>
    /// The label key for the registry of <paramref name="reference"/>: its host name without the
    /// port (<c>docker.io</c>, <c>127.0.0.1</c>), as containerd 1.6 writes it — so content shared
    /// with containerd carries the same keys. Two registries on one host share a key; a mount asked
    /// of the wrong one is refused and the blob is uploaded instead.
    /// </summary>
    public static string LabelKey(ImageReference reference) => LabelPrefix + HostName(reference.Domain);

    /// <summary>The repositories recorded for the registry of <paramref name="reference"/>.</summary>
    public static IReadOnlyList<string> Repositories(ContentInfo info, ImageReference reference) =>
        info.Labels.TryGetValue(LabelKey(reference), out string? value)
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    /// <summary>The label a blob fetched from <paramref name="reference"/> is committed with.</summary>
    public static IReadOnlyDictionary<string, string> LabelsFor(ImageReference reference) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [LabelKey(reference)] = reference.Path };

    /// <summary>
    /// Adds the repository of <paramref name="reference"/> to the label of a blob that was already in
    /// the store (one just committed got it with <see cref="LabelsFor"/>), keeping the ones there.
    /// </summary>
    public static async Task AppendAsync(IContentStore store, ContentInfo info, ImageReference reference, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> known = Repositories(info, reference);
        if (known.Contains(reference.Path, StringComparer.Ordinal))
        {
            return;
        }

        string key = LabelKey(reference);
        string value = string.Join(',', known.Append(reference.Path));
        if (key.Length + value.Length > ContentLabelStore.MaxLabelLength)
        {
            // Too many sources to remember: keep the ones recorded; mounting is only an optimisation.
            return;
        }

        Dictionary<string, string> labels = new(info.Labels, StringComparer.Ordinal) { [key] = value };
        await store.UpdateAsync(new ContentInfo { Digest = info.Digest, Size = info.Size, CreatedAt = info.CreatedAt, UpdatedAt = info.UpdatedAt, Labels = labels }, ["labels." + key], cancellationToken).ConfigureAwait(false);
    }

    private static string HostName(string domain)
    {
        int colon = domain.LastIndexOf(':');
        return colon > domain.LastIndexOf(']') && colon + 1 < domain.Length && !domain.AsSpan(colon + 1).ContainsAnyExceptInRange('0', '9')
            ? domain[..colon]
            : domain;
    }
}
