using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Containers.Filters;
using Containers.Metadata;
using Microsoft.Data.Sqlite;

namespace Containers.Leases;

/// <summary>
/// Leases in the embedded <see cref="MetadataDatabase"/>, scoped to one namespace, with containerd's
/// semantics (core/metadata/leases.go): ids are identifiers, resources are typed references
/// (<c>content</c>, <c>ingests</c>, <c>snapshots/&lt;snapshotter&gt;</c>), adding twice or removing
/// what is not held does nothing. Expiry is recorded; the garbage collector
/// (<see cref="GarbageCollection.GarbageCollector"/>) treats an expired lease as gone and deletes it.
/// </summary>
public sealed class SqliteLeaseManager : ILeaseManager
{
    private const string KindName = "lease";
    private readonly MetadataDatabase _database;
    private readonly string _namespace;
    private readonly TimeProvider _time;
    private readonly Func<GarbageCollection.GarbageCollector>? _collector;

    /// <summary>Opens the lease manager of a namespace.</summary>
    /// <param name="database">The metadata database.</param>
    /// <param name="namespace">The namespace.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    /// <param name="collector">
    /// Gives the collector a synchronous <see cref="DeleteAsync"/> runs (asked for only then); when null,
    /// a synchronous delete only removes the lease.
    /// </param>
    /// <exception cref="InvalidSpecException">The namespace is not a valid identifier.</exception>
    public SqliteLeaseManager(MetadataDatabase database, string @namespace, TimeProvider? timeProvider = null, Func<GarbageCollection.GarbageCollector>? collector = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Identifiers.Validate(@namespace, "namespace");
        _database = database;
        _namespace = @namespace;
        _time = timeProvider ?? TimeProvider.System;
        _collector = collector;
    }

    /// <inheritdoc/>
    public ValueTask<Lease> CreateAsync(string? id = null, TimeSpan? expiration = null, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // containerd's leases.WithRandomID: a time prefix plus random bytes.
        id ??= $"{_time.GetUtcNow().ToUnixTimeMilliseconds()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        Identifiers.Validate(id, "id");
        if (expiration is { } e && e <= TimeSpan.Zero)
        {
            throw new InvalidSpecException("expiration", "must be positive");
        }

        LabelValidator.Validate(labels, "labels");
        DateTimeOffset now = _time.GetUtcNow();
        var lease = new Lease(id)
        {
            CreatedAt = now,
            ExpiresAt = expiration is { } span ? now + span : null,
            Labels = labels is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(labels, StringComparer.Ordinal),
        };
        using SqliteConnection connection = _database.Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        try
        {
            MetadataDatabase.Execute(connection, transaction, "INSERT INTO leases (namespace, id, created_at, expires_at) VALUES ($ns, $id, $created, $expires)",
                ("$ns", _namespace), ("$id", id), ("$created", now.UtcTicks), ("$expires", lease.ExpiresAt?.UtcTicks));
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
        {
            throw new AlreadyExistsException(KindName, id);
        }

        foreach ((string key, string value) in lease.Labels)
        {
            MetadataDatabase.Execute(connection, transaction, "INSERT INTO lease_labels (namespace, id, key, value) VALUES ($ns, $id, $key, $value)",
                ("$ns", _namespace), ("$id", id), ("$key", key), ("$value", value));
        }

        transaction.Commit();
        _database.NotifyMutation(dirty: false);
        return ValueTask.FromResult(lease);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="synchronous"/>, a garbage collection runs after the lease is gone and before this
    /// returns (containerd's <c>SynchronousDelete</c>), when the manager was given a collector.
    /// </remarks>
    public async ValueTask DeleteAsync(string id, bool synchronous = false, CancellationToken cancellationToken = default)
    {
        DeleteLease(id, cancellationToken);
        if (synchronous && _collector is not null)
        {
            await _collector().CollectAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void DeleteLease(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = _database.Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        if (MetadataDatabase.Execute(connection, transaction, "DELETE FROM leases WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id)) == 0)
        {
            throw new NotFoundException(KindName, id);
        }

        MetadataDatabase.Execute(connection, transaction, "DELETE FROM lease_labels WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id));
        MetadataDatabase.Execute(connection, transaction, "DELETE FROM lease_resources WHERE namespace = $ns AND lease_id = $id", ("$ns", _namespace), ("$id", id));
        transaction.Commit();
        _database.NotifyMutation(dirty: true);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<Lease> ListAsync(IReadOnlyList<string>? filters = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Filter filter = Filter.ParseAll(filters);
        var leases = new List<Lease>();
        using (SqliteConnection connection = _database.Open())
        using (SqliteTransaction snapshot = connection.BeginTransaction(deferred: true))
        {
            var rows = new List<(string Id, long Created, long? Expires)>();
            using (SqliteCommand command = MetadataDatabase.Command(connection, snapshot, "SELECT id, created_at, expires_at FROM leases WHERE namespace = $ns ORDER BY id", ("$ns", _namespace)))
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    rows.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
                }
            }

            foreach ((string id, long created, long? expires) in rows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var lease = new Lease(id)
                {
                    CreatedAt = new DateTimeOffset(created, TimeSpan.Zero),
                    ExpiresAt = expires is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null,
                    Labels = MetadataDatabase.ReadPairs(connection, snapshot, "SELECT key, value FROM lease_labels WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id)),
                };
                if (filter.Matches(path => Adapt(lease, path)))
                {
                    leases.Add(lease);
                }
            }
        }

        foreach (Lease lease in leases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return lease;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask AddResourceAsync(string leaseId, LeaseResource resource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leaseId);
        ValidateResource(resource);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = _database.Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        RequireLease(connection, transaction, leaseId);
        MetadataDatabase.Execute(connection, transaction,
            "INSERT OR IGNORE INTO lease_resources (namespace, lease_id, type, resource_id) VALUES ($ns, $id, $type, $rid)",
            ("$ns", _namespace), ("$id", leaseId), ("$type", resource.Type), ("$rid", resource.Id));
        transaction.Commit();
        _database.NotifyMutation(dirty: false);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DeleteResourceAsync(string leaseId, LeaseResource resource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leaseId);
        ValidateResource(resource);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = _database.Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        RequireLease(connection, transaction, leaseId);
        MetadataDatabase.Execute(connection, transaction,
            "DELETE FROM lease_resources WHERE namespace = $ns AND lease_id = $id AND type = $type AND resource_id = $rid",
            ("$ns", _namespace), ("$id", leaseId), ("$type", resource.Type), ("$rid", resource.Id));
        transaction.Commit();
        _database.NotifyMutation(dirty: true);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LeaseResource> ListResourcesAsync(string leaseId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(leaseId);
        var resources = new List<LeaseResource>();
        using (SqliteConnection connection = _database.Open())
        using (SqliteTransaction snapshot = connection.BeginTransaction(deferred: true))
        {
            RequireLease(connection, snapshot, leaseId);
            using SqliteCommand command = MetadataDatabase.Command(connection, snapshot,
                "SELECT resource_id, type FROM lease_resources WHERE namespace = $ns AND lease_id = $id ORDER BY type, resource_id", ("$ns", _namespace), ("$id", leaseId));
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                resources.Add(new LeaseResource(reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (LeaseResource resource in resources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return resource;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>containerd's resource kinds (core/metadata/leases.go parseLeaseResource); a content id must be a digest.</summary>
    private static void ValidateResource(LeaseResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (string.IsNullOrEmpty(resource.Id))
        {
            throw new InvalidSpecException("resource.id", "must not be empty");
        }

        switch (resource.Type)
        {
            case LeaseResource.ContentType:
                try
                {
                    _ = Digest.Parse(resource.Id);
                }
                catch (InvalidDigestException e)
                {
                    throw new InvalidSpecException("resource.id", $"content resource is not a valid digest: {e.Message}", e);
                }

                break;
            case LeaseResource.IngestType:
                break;
            case { } type when type.StartsWith(LeaseResource.SnapshotTypePrefix, StringComparison.Ordinal) && type.Length > LeaseResource.SnapshotTypePrefix.Length
                && !type.AsSpan(LeaseResource.SnapshotTypePrefix.Length).Contains('/'):
                break;
            default:
                throw new InvalidSpecException("resource.type", $"unsupported resource type \"{resource.Type}\" (content, ingests or snapshots/<snapshotter>)");
        }
    }

    private void RequireLease(SqliteConnection connection, SqliteTransaction transaction, string leaseId)
    {
        using SqliteCommand command = MetadataDatabase.Command(connection, transaction, "SELECT 1 FROM leases WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", leaseId));
        if (command.ExecuteScalar() is null)
        {
            throw new NotFoundException(KindName, leaseId);
        }
    }

    private static (string Value, bool Present) Adapt(Lease lease, IReadOnlyList<string> path) => path switch
    {
        ["id"] => (lease.Id, true),
        ["labels", ..] when path.Count > 1 => lease.Labels.TryGetValue(string.Join('.', path.Skip(1)), out string? value) ? (value, true) : (string.Empty, false),
        _ => (string.Empty, false),
    };
}
