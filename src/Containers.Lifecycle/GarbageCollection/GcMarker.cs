using Containers.Leases;
using Containers.Snapshots;

namespace Containers.GarbageCollection;

/// <summary>
/// The mark phase: a tri-colour walk of the reference graph. White objects were never seen, grey ones
/// wait on the stack to have their references followed, black ones are done; whatever is still white
/// at the end is garbage.
/// </summary>
internal sealed class GcMarker
{
    private readonly GcMetadata _metadata;
    private readonly IReadOnlyDictionary<string, (string Snapshotter, SnapshotInfo Info)> _snapshots;
    private readonly Action<string, string, string, string> _ignored;
    private readonly HashSet<GcNode> _seen = [];
    private readonly Stack<GcNode> _grey = new();
    private readonly HashSet<string> _reachedContent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reachedSnapshots = new(StringComparer.Ordinal);

    /// <param name="metadata">The roots and blob labels.</param>
    /// <param name="snapshots">Every snapshot, by <c>&lt;snapshotter&gt;/&lt;key&gt;</c>: parents and labels.</param>
    /// <param name="ignored">Told (key, value, owner, reason) about reference labels that name nothing valid.</param>
    public GcMarker(GcMetadata metadata, IReadOnlyDictionary<string, (string Snapshotter, SnapshotInfo Info)> snapshots, Action<string, string, string, string> ignored)
    {
        _metadata = metadata;
        _snapshots = snapshots;
        _ignored = ignored;
    }

    /// <summary>How many distinct blobs and snapshots were reached.</summary>
    public int ReachableCount => _reachedContent.Count + _reachedSnapshots.Count;

    public bool IsContentReached(string digest) => _reachedContent.Contains(digest);

    public bool IsSnapshotReached(string id) => _reachedSnapshots.Contains(id);

    /// <summary>Greys every root, then blackens until nothing is grey.</summary>
    /// <param name="now">Expiry threshold.</param>
    /// <param name="expiredLeases">Receives the leases that are not roots because they expired.</param>
    /// <param name="expiredImages">Receives the images whose <c>containerd.io/gc.expire</c> passed.</param>
    /// <param name="leasedIngests">Receives the ingest refs live leases hold.</param>
    public void MarkRoots(DateTimeOffset now, List<GcMetadata.LeaseRow> expiredLeases, List<GcMetadata.ImageRow> expiredImages, HashSet<string> leasedIngests)
    {
        foreach (GcMetadata.LeaseRow lease in _metadata.Leases)
        {
            string owner = $"lease {lease.Namespace}/{lease.Id}";
            if (lease.ExpiresAt <= now || ExpiresAt(lease.Labels, owner) < now)
            {
                expiredLeases.Add(lease);
                continue;
            }

            bool flat = lease.Labels.ContainsKey(GcLabels.Flat);
            foreach ((string type, string id) in lease.Resources)
            {
                if (type == LeaseResource.ContentType)
                {
                    Grey(GcNode.Content(lease.Namespace, id, flat));
                }
                else if (type == LeaseResource.IngestType)
                {
                    leasedIngests.Add(id);
                }
                else if (type.StartsWith(LeaseResource.SnapshotTypePrefix, StringComparison.Ordinal))
                {
                    Grey(GcNode.Snapshot(lease.Namespace, type[LeaseResource.SnapshotTypePrefix.Length..], id, flat));
                }
            }
        }

        foreach (GcMetadata.ImageRow image in _metadata.Images)
        {
            string owner = $"image {image.Namespace}/{image.Name}";
            if (ExpiresAt(image.Labels, owner) < now)
            {
                expiredImages.Add(image);
                continue;
            }

            if (image.Target is { } target && Digest.TryParse(target, out _))
            {
                Grey(GcNode.Content(image.Namespace, target));
            }

            GreyReferences(image.Namespace, image.Labels, owner);
        }

        foreach (GcMetadata.ContainerRow container in _metadata.Containers)
        {
            if (!string.IsNullOrEmpty(container.Snapshotter) && !string.IsNullOrEmpty(container.SnapshotKey))
            {
                Grey(GcNode.Snapshot(container.Namespace, container.Snapshotter, container.SnapshotKey));
            }

            GreyReferences(container.Namespace, container.Labels, $"container {container.Namespace}/{container.Id}");
        }

        foreach ((string digest, Dictionary<string, Dictionary<string, string>> byNamespace) in _metadata.ContentLabels)
        {
            foreach ((string ns, Dictionary<string, string> labels) in byNamespace)
            {
                if (labels.ContainsKey(GcLabels.Root) || ExpiresAt(labels, $"blob {digest}") >= now)
                {
                    Grey(GcNode.Content(ns, digest));
                }
            }
        }

        foreach ((string id, (_, SnapshotInfo info)) in _snapshots)
        {
            if (info.Labels.ContainsKey(GcLabels.Root) || ExpiresAt(info.Labels, $"snapshot {id}") >= now)
            {
                Grey(new GcNode(GarbageCollectionResourceKind.Snapshot, null, id, false));
            }
        }

        while (_grey.TryPop(out GcNode node))
        {
            Blacken(node);
        }
    }

    private void Blacken(GcNode node)
    {
        if (node.Kind == GarbageCollectionResourceKind.Content)
        {
            _reachedContent.Add(node.Key);
            if (node.Flat || !_metadata.ContentLabels.TryGetValue(node.Key, out Dictionary<string, Dictionary<string, string>>? byNamespace))
            {
                return;
            }

            foreach ((string ns, Dictionary<string, string> labels) in byNamespace)
            {
                // Labels belong to a namespace: follow those of the namespace the blob was reached in
                // (all of them when it was reached from a shared snapshot's labels).
                if (node.Namespace is null || node.Namespace == ns)
                {
                    GreyReferences(node.Namespace ?? ns, labels, $"blob {node.Key}");
                }
            }

            return;
        }

        _reachedSnapshots.Add(node.Key);
        if (!_snapshots.TryGetValue(node.Key, out (string Snapshotter, SnapshotInfo Info) snapshot))
        {
            // A reference to a snapshot that does not exist (yet, or any more): a dead edge.
            return;
        }

        if (snapshot.Info.Parent is { } parent)
        {
            Grey(GcNode.Snapshot(node.Namespace, snapshot.Snapshotter, parent, node.Flat));
        }

        if (!node.Flat)
        {
            GreyReferences(node.Namespace, snapshot.Info.Labels, $"snapshot {node.Key}");
        }
    }

    private void Grey(GcNode node)
    {
        if (_seen.Add(node))
        {
            _grey.Push(node);
        }
    }

    private void GreyReferences(string? ns, IReadOnlyDictionary<string, string> labels, string owner)
    {
        foreach (GcNode node in GcLabels.References(ns, labels, (key, value, reason) => _ignored(key, value, owner, reason)))
        {
            Grey(node);
        }
    }

    private DateTimeOffset? ExpiresAt(IReadOnlyDictionary<string, string> labels, string owner) =>
        GcLabels.ExpiresAt(labels, (key, value, reason) => _ignored(key, value, owner, reason));
}
