using System.Globalization;

namespace Containers.GarbageCollection;

/// <summary>containerd's garbage-collection labels (core/metadata/gc.go) and how they are read.</summary>
internal static class GcLabels
{
    /// <summary>Makes a blob or snapshot a root.</summary>
    public const string Root = "containerd.io/gc.root";

    /// <summary>Prefix of references to blobs: <c>containerd.io/gc.ref.content</c>, optionally followed by <c>.name</c> or <c>/name</c>.</summary>
    public const string ContentReference = "containerd.io/gc.ref.content";

    /// <summary>Prefix of references to snapshots: <c>containerd.io/gc.ref.snapshot.&lt;snapshotter&gt;[/name]</c>.</summary>
    public const string SnapshotReference = "containerd.io/gc.ref.snapshot.";

    /// <summary>An RFC 3339 time: a lease or image is collectible after it; a blob or snapshot is a root until it.</summary>
    public const string Expire = "containerd.io/gc.expire";

    /// <summary>On a lease: keep the leased objects only, not what their labels reference.</summary>
    public const string Flat = "containerd.io/gc.flat";

    /// <summary>The objects <paramref name="labels"/> reference, reached in <paramref name="ns"/>.</summary>
    /// <param name="ns">The namespace the references are reached in.</param>
    /// <param name="labels">The labels.</param>
    /// <param name="ignored">Called with (key, value, reason) for a reference label that names nothing valid.</param>
    public static IEnumerable<GcNode> References(string? ns, IReadOnlyDictionary<string, string> labels, Action<string, string, string> ignored)
    {
        foreach ((string key, string value) in labels)
        {
            if (key.StartsWith(ContentReference, StringComparison.Ordinal))
            {
                // containerd allows reference names after '.' or '/' only: "gc.ref.contentx" is not a reference.
                if (key.Length > ContentReference.Length && key[ContentReference.Length] is not ('.' or '/'))
                {
                    continue;
                }

                if (!Digest.TryParse(value, out Digest digest))
                {
                    ignored(key, value, "not a digest");
                    continue;
                }

                yield return GcNode.Content(ns, digest.ToString());
            }
            else if (key.StartsWith(SnapshotReference, StringComparison.Ordinal))
            {
                string snapshotter = key[SnapshotReference.Length..];
                int slash = snapshotter.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    snapshotter = snapshotter[..slash];
                }

                if (snapshotter.Length == 0 || value.Length == 0)
                {
                    ignored(key, value, "names no snapshotter or no snapshot");
                    continue;
                }

                yield return GcNode.Snapshot(ns, snapshotter, value);
            }
        }
    }

    /// <summary>
    /// Reads <see cref="Expire"/>: <see langword="null"/> when absent or not RFC 3339 (containerd then
    /// ignores it, with a log line through <paramref name="ignored"/>).
    /// </summary>
    public static DateTimeOffset? ExpiresAt(IReadOnlyDictionary<string, string> labels, Action<string, string, string> ignored)
    {
        if (!labels.TryGetValue(Expire, out string? value))
        {
            return null;
        }

        // Go writes up to nine fractional digits (RFC3339Nano); .NET parses seven.
        string trimmed = System.Text.RegularExpressions.Regex.Replace(value, @"(\.\d{7})\d+", "$1");
        if (DateTimeOffset.TryParseExact(trimmed, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture,
            DateTimeStyles.None, out DateTimeOffset at))
        {
            return at;
        }

        ignored(Expire, value, "not an RFC 3339 time");
        return null;
    }
}
