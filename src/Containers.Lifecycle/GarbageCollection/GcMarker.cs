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
    private readonly HashSet<(string Namespace, string Name)> _reachedImages = [];
    private readonly Dictionary<string, List<GcMetadata.ImageRow>> _imagesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<GcMetadata.ContainerRow>> _containersById = new(StringComparer.Ordinal);

    // Back references (containerd.io/gc.bref.*), by parent (kind, key): the parent's namespace (null: any)
    // and the child that is reached when the parent is.
    private readonly Dictionary<(GarbageCollectionResourceKind Kind, string Key), List<(string? ParentNamespace, GcNode Child)>> _backReferences = [];

    /// <param name="metadata">The roots and blob labels.</param>
    /// <param name="snapshots">Every snapshot, by <c>&lt;snapshotter&gt;/&lt;key&gt;</c>: parents and labels.</param>
    /// <param name="ignored">Told (key, value, owner, reason) about reference labels that name nothing valid.</param>
    public GcMarker(GcMetadata metadata, IReadOnlyDictionary<string, (string Snapshotter, SnapshotInfo Info)> snapshots, Action<string, string, string, string> ignored)
    {
        _metadata = metadata;
        _snapshots = snapshots;
        _ignored = ignored;
        foreach (GcMetadata.ImageRow image in metadata.Images)
        {
            Add(_imagesByName, image.Name, image);
        }

        foreach (GcMetadata.ContainerRow container in metadata.Containers)
        {
            Add(_containersById, container.Id, container);
        }
    }

    /// <summary>How many distinct blobs and snapshots were reached.</summary>
    public int ReachableCount => _reachedContent.Count + _reachedSnapshots.Count;

    public bool IsContentReached(string digest) => _reachedContent.Contains(digest);

    public bool IsSnapshotReached(string id) => _reachedSnapshots.Contains(id);

    /// <summary>Greys every root, then blackens until nothing is grey.</summary>
    /// <param name="now">Expiry threshold.</param>
    /// <param name="expiredLeases">Receives the leases that are not roots because they expired.</param>
    /// <param name="expiredImages">Receives the images whose <c>containerd.io/gc.expire</c> passed and that nothing references.</param>
    /// <param name="leasedIngests">Receives the ingest refs live leases hold.</param>
    public void MarkRoots(DateTimeOffset now, List<GcMetadata.LeaseRow> expiredLeases, List<GcMetadata.ImageRow> expiredImages, HashSet<string> leasedIngests)
    {
        CollectBackReferences();
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

        // Expired images are no roots, but stay while something references them (gc.ref.image, or a
        // parent their gc.bref labels name is reached).
        var expired = new List<GcMetadata.ImageRow>();
        foreach (GcMetadata.ImageRow image in _metadata.Images)
        {
            if (ExpiresAt(image.Labels, $"image {image.Namespace}/{image.Name}") < now)
            {
                expired.Add(image);
                continue;
            }

            Grey(GcNode.Image(image.Namespace, image.Name));
        }

        foreach (GcMetadata.ContainerRow container in _metadata.Containers)
        {
            Grey(new GcNode(GarbageCollectionResourceKind.Container, container.Namespace, container.Id, false));
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

        expiredImages.AddRange(expired.Where(image => !_reachedImages.Contains((image.Namespace, image.Name))));
    }

    /// <summary>
    /// Reads every <c>containerd.io/gc.bref.*</c> label of the objects that can be children: blobs (in
    /// their namespace), snapshots (shared: their parents may be reached in any namespace) and expired
    /// images (a live image is a root already, as containerd reads them).
    /// </summary>
    private void CollectBackReferences()
    {
        foreach ((string digest, Dictionary<string, Dictionary<string, string>> byNamespace) in _metadata.ContentLabels)
        {
            foreach ((string ns, Dictionary<string, string> labels) in byNamespace)
            {
                AddBackReferences(ns, labels, GcNode.Content(ns, digest), $"blob {digest}");
            }
        }

        foreach ((string id, (_, SnapshotInfo info)) in _snapshots)
        {
            AddBackReferences(null, info.Labels, new GcNode(GarbageCollectionResourceKind.Snapshot, null, id, false), $"snapshot {id}");
        }

        foreach (GcMetadata.ImageRow image in _metadata.Images)
        {
            AddBackReferences(image.Namespace, image.Labels, GcNode.Image(image.Namespace, image.Name), $"image {image.Namespace}/{image.Name}");
        }
    }

    private void AddBackReferences(string? ns, IReadOnlyDictionary<string, string> labels, GcNode child, string owner)
    {
        foreach (GcNode parent in GcLabels.BackReferences(ns, labels, (key, value, reason) => _ignored(key, value, owner, reason)))
        {
            if (!_backReferences.TryGetValue((parent.Kind, parent.Key), out List<(string?, GcNode)>? list))
            {
                _backReferences[(parent.Kind, parent.Key)] = list = [];
            }

            list.Add((parent.Namespace, child));
        }
    }

    private void Blacken(GcNode node)
    {
        if (!node.Flat && _backReferences.TryGetValue((node.Kind, node.Key), out List<(string? ParentNamespace, GcNode Child)>? children))
        {
            foreach ((string? parentNamespace, GcNode child) in children)
            {
                if (parentNamespace is null || node.Namespace is null || parentNamespace == node.Namespace)
                {
                    Grey(child);
                }
            }
        }

        switch (node.Kind)
        {
            case GarbageCollectionResourceKind.Content:
                BlackenContent(node);
                break;
            case GarbageCollectionResourceKind.Snapshot:
                BlackenSnapshot(node);
                break;
            case GarbageCollectionResourceKind.Image:
                foreach (GcMetadata.ImageRow image in _imagesByName.GetValueOrDefault(node.Key) ?? [])
                {
                    if (node.Namespace is null || node.Namespace == image.Namespace)
                    {
                        _reachedImages.Add((image.Namespace, image.Name));
                        if (image.Target is { } target && Digest.TryParse(target, out _))
                        {
                            Grey(GcNode.Content(image.Namespace, target));
                        }

                        GreyReferences(image.Namespace, image.Labels, $"image {image.Namespace}/{image.Name}");
                    }
                }

                break;
            case GarbageCollectionResourceKind.Container:
                foreach (GcMetadata.ContainerRow container in _containersById.GetValueOrDefault(node.Key) ?? [])
                {
                    if (node.Namespace is null || node.Namespace == container.Namespace)
                    {
                        if (!string.IsNullOrEmpty(container.Snapshotter) && !string.IsNullOrEmpty(container.SnapshotKey))
                        {
                            Grey(GcNode.Snapshot(container.Namespace, container.Snapshotter, container.SnapshotKey));
                        }

                        GreyReferences(container.Namespace, container.Labels, $"container {container.Namespace}/{container.Id}");
                    }
                }

                break;
        }
    }

    private void BlackenContent(GcNode node)
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
    }

    private void BlackenSnapshot(GcNode node)
    {
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

    private static void Add<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out List<T>? list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
