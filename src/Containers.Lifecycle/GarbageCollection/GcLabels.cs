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

    /// <summary>Prefix of references to images (by name, in the same namespace): <c>containerd.io/gc.ref.image[./name]</c>.</summary>
    public const string ImageReference = "containerd.io/gc.ref.image";

    /// <summary>
    /// Prefix of back references (containerd 2.0): a label on a child naming a parent, so the child lives
    /// as long as the parent without the parent being changed or even existing yet.
    /// </summary>
    public const string BackReferencePrefix = "containerd.io/gc.bref.";

    /// <summary>A back reference to a blob: <c>containerd.io/gc.bref.content[./name]=&lt;digest&gt;</c>.</summary>
    public const string ContentBackReference = "containerd.io/gc.bref.content";

    /// <summary>A back reference to an image: <c>containerd.io/gc.bref.image[./name]=&lt;image name&gt;</c>.</summary>
    public const string ImageBackReference = "containerd.io/gc.bref.image";

    /// <summary>A back reference to a container: <c>containerd.io/gc.bref.container[./name]=&lt;container id&gt;</c>.</summary>
    public const string ContainerBackReference = "containerd.io/gc.bref.container";

    /// <summary>A back reference to a snapshot: <c>containerd.io/gc.bref.snapshot.&lt;snapshotter&gt;[/name]=&lt;key&gt;</c>.</summary>
    public const string SnapshotBackReference = "containerd.io/gc.bref.snapshot.";

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
            if (Targets(key, value, ns, ContentReference, ImageReference, SnapshotReference, ignored) is { } node)
            {
                yield return node;
            }
        }
    }

    /// <summary>
    /// The parents <paramref name="labels"/> attach their owner to (<c>containerd.io/gc.bref.*</c>): when a
    /// parent is reached, so is the owner. The parents are named in <paramref name="ns"/>, the owner's
    /// namespace (<see langword="null"/> for a snapshot's labels: snapshots are shared, so the parent may be
    /// reached in any namespace).
    /// </summary>
    public static IEnumerable<GcNode> BackReferences(string? ns, IReadOnlyDictionary<string, string> labels, Action<string, string, string> ignored)
    {
        foreach ((string key, string value) in labels)
        {
            if (!key.StartsWith(BackReferencePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith(ContainerBackReference, StringComparison.Ordinal))
            {
                if (IsNamed(key, ContainerBackReference))
                {
                    yield return new GcNode(GarbageCollectionResourceKind.Container, ns, value, false);
                }
            }
            else if (Targets(key, value, ns, ContentBackReference, ImageBackReference, SnapshotBackReference, ignored) is { } node)
            {
                yield return node;
            }
        }
    }

    /// <summary>The node a reference label (forward or back, by the prefixes given) names, or null.</summary>
    private static GcNode? Targets(string key, string value, string? ns, string content, string image, string snapshot, Action<string, string, string> ignored)
    {
        if (key.StartsWith(content, StringComparison.Ordinal))
        {
            if (!IsNamed(key, content))
            {
                return null;
            }

            if (!Digest.TryParse(value, out Digest digest))
            {
                ignored(key, value, "not a digest");
                return null;
            }

            return GcNode.Content(ns, digest.ToString());
        }

        if (key.StartsWith(image, StringComparison.Ordinal))
        {
            if (!IsNamed(key, image))
            {
                return null;
            }

            if (value.Length == 0)
            {
                ignored(key, value, "names no image");
                return null;
            }

            return GcNode.Image(ns, value);
        }

        if (key.StartsWith(snapshot, StringComparison.Ordinal))
        {
            string snapshotter = key[snapshot.Length..];
            int slash = snapshotter.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                snapshotter = snapshotter[..slash];
            }

            if (snapshotter.Length == 0 || value.Length == 0)
            {
                ignored(key, value, "names no snapshotter or no snapshot");
                return null;
            }

            return GcNode.Snapshot(ns, snapshotter, value);
        }

        return null;
    }

    /// <summary>containerd allows a name after the prefix only behind '.' or '/': "gc.ref.contentx" is no reference.</summary>
    private static bool IsNamed(string key, string prefix) => key.Length == prefix.Length || key[prefix.Length] is '.' or '/';

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
