using System.Runtime.CompilerServices;
using Containers.Events;
using Containers.Filters;
using Microsoft.Data.Sqlite;

namespace Containers.Metadata;

/// <summary>
/// Container records in the embedded <see cref="MetadataDatabase"/>, scoped to one namespace: the same
/// id in two namespaces is two containers, as in containerd. Create, update and delete publish
/// <c>/containers/*</c> events on the bus when one is given, after the change is committed.
/// </summary>
public sealed class SqliteContainerStore : IContainerStore
{
    private const string KindName = "container";
    private readonly MetadataDatabase _database;
    private readonly string _namespace;
    private readonly IEventBus? _events;
    private readonly TimeProvider _time;

    /// <summary>Opens the container store of a namespace.</summary>
    /// <param name="database">The metadata database.</param>
    /// <param name="namespace">The namespace; containerd's identifier rules apply.</param>
    /// <param name="events">Where to publish container events, or <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock, or <see langword="null"/> for the system clock.</param>
    /// <exception cref="InvalidSpecException">The namespace is not a valid identifier.</exception>
    public SqliteContainerStore(MetadataDatabase database, string @namespace, IEventBus? events = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        Identifiers.Validate(@namespace, "namespace");
        _database = database;
        _namespace = @namespace;
        _events = events;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The namespace this store sees.</summary>
    public string Namespace => _namespace;

    /// <inheritdoc/>
    public ValueTask<ContainerRecord> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = _database.Open();
        return ValueTask.FromResult(Read(connection, null, id) ?? throw new NotFoundException(KindName, id));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ContainerRecord> ListAsync(IReadOnlyList<string>? filters = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Parse before touching the database so a malformed filter fails the first MoveNext cleanly.
        Filter filter = Filter.ParseAll(filters);
        List<ContainerRecord> records;
        using (SqliteConnection connection = _database.Open())
        using (SqliteTransaction snapshot = connection.BeginTransaction(deferred: true))
        {
            var ids = new List<string>();
            using (SqliteCommand command = MetadataDatabase.Command(connection, snapshot, "SELECT id FROM containers WHERE namespace = $ns ORDER BY id", ("$ns", _namespace)))
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    ids.Add(reader.GetString(0));
                }
            }

            records = new List<ContainerRecord>(ids.Count);
            foreach (string id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Read(connection, snapshot, id) is { } record && filter.Matches(path => Adapt(record, path)))
                {
                    records.Add(record);
                }
            }
        }

        foreach (ContainerRecord record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return record;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ContainerRecord> CreateAsync(ContainerRecord container, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        cancellationToken.ThrowIfCancellationRequested();
        Validate(container);
        DateTimeOffset now = _time.GetUtcNow();
        ContainerRecord stored = container with { CreatedAt = now, UpdatedAt = now };
        using (SqliteConnection connection = _database.Open())
        using (SqliteTransaction transaction = connection.BeginTransaction())
        {
            try
            {
                MetadataDatabase.Execute(connection, transaction,
                    "INSERT INTO containers (namespace, id, image, spec, snapshotter, snapshot_key, sandbox_id, runtime_name, runtime_options, created_at, updated_at) " +
                    "VALUES ($ns, $id, $image, $spec, $snapshotter, $key, $sandbox, $runtime, $options, $created, $updated)",
                    ("$ns", _namespace), ("$id", stored.Id), ("$image", stored.Image), ("$spec", stored.Spec.ToArray()),
                    ("$snapshotter", stored.Snapshotter), ("$key", stored.SnapshotKey), ("$sandbox", stored.SandboxId),
                    ("$runtime", stored.Runtime.Name), ("$options", stored.Runtime.Options.ToArray()),
                    ("$created", now.UtcTicks), ("$updated", now.UtcTicks));
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT */)
            {
                throw new AlreadyExistsException(KindName, stored.Id);
            }

            WriteChildren(connection, transaction, stored);
            transaction.Commit();
            _database.NotifyMutation(dirty: false);
        }

        if (_events is not null)
        {
            await _events.PublishAsync(_namespace, new ContainerCreate(stored.Id, stored.Image, stored.Runtime), CancellationToken.None).ConfigureAwait(false);
        }

        return stored;
    }

    /// <inheritdoc/>
    public async ValueTask<ContainerRecord> UpdateAsync(ContainerRecord container, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        cancellationToken.ThrowIfCancellationRequested();
        ContainerRecord stored;
        using (SqliteConnection connection = _database.Open())
        using (SqliteTransaction transaction = connection.BeginTransaction())
        {
            ContainerRecord current = Read(connection, transaction, container.Id) ?? throw new NotFoundException(KindName, container.Id);
            ContainerRecord updated = ApplyFieldPaths(current, container, fieldPaths);
            Validate(updated);
            stored = updated with { UpdatedAt = _time.GetUtcNow() };
            MetadataDatabase.Execute(connection, transaction,
                "UPDATE containers SET image = $image, spec = $spec, snapshot_key = $key, updated_at = $updated WHERE namespace = $ns AND id = $id",
                ("$ns", _namespace), ("$id", stored.Id), ("$image", stored.Image), ("$spec", stored.Spec.ToArray()),
                ("$key", stored.SnapshotKey), ("$updated", stored.UpdatedAt.UtcTicks));
            DeleteChildren(connection, transaction, stored.Id);
            WriteChildren(connection, transaction, stored);
            transaction.Commit();
            _database.NotifyMutation(dirty: false);
        }

        if (_events is not null)
        {
            await _events.PublishAsync(_namespace, new ContainerUpdate(stored.Id, stored.Image, stored.Labels, stored.SnapshotKey), CancellationToken.None).ConfigureAwait(false);
        }

        return stored;
    }

    /// <inheritdoc/>
    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        using (SqliteConnection connection = _database.Open())
        using (SqliteTransaction transaction = connection.BeginTransaction())
        {
            if (MetadataDatabase.Execute(connection, transaction, "DELETE FROM containers WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id)) == 0)
            {
                throw new NotFoundException(KindName, id);
            }

            DeleteChildren(connection, transaction, id);
            transaction.Commit();
            _database.NotifyMutation(dirty: true);
        }

        if (_events is not null)
        {
            await _events.PublishAsync(_namespace, new ContainerDelete(id), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>containerd's update rules (core/metadata/containers.go): which fields a path may change.</summary>
    private static ContainerRecord ApplyFieldPaths(ContainerRecord current, ContainerRecord updated, IReadOnlyList<string>? fieldPaths)
    {
        if (fieldPaths is null || fieldPaths.Count == 0)
        {
            // A full replace may not change what is immutable.
            if (updated.Snapshotter is not null && updated.Snapshotter != current.Snapshotter)
            {
                throw new InvalidSpecException("snapshotter", "container.Snapshotter field is immutable");
            }

            if (updated.Runtime.Name != current.Runtime.Name)
            {
                throw new InvalidSpecException("runtime.name", "container.Runtime.Name field is immutable");
            }

            fieldPaths = ["labels", "spec", "extensions", "image", "snapshotkey"];
        }

        var labels = new Dictionary<string, string>(current.Labels, StringComparer.Ordinal);
        var extensions = new Dictionary<string, ReadOnlyMemory<byte>>(current.Extensions, StringComparer.Ordinal);
        ContainerRecord result = current;
        foreach (string path in fieldPaths)
        {
            if (path.StartsWith("labels.", StringComparison.Ordinal))
            {
                string key = path["labels.".Length..];
                if (updated.Labels.TryGetValue(key, out string? value) && value.Length > 0)
                {
                    labels[key] = value;
                }
                else
                {
                    labels.Remove(key);
                }

                continue;
            }

            if (path.StartsWith("extensions.", StringComparison.Ordinal))
            {
                string name = path["extensions.".Length..];
                if (updated.Extensions.TryGetValue(name, out ReadOnlyMemory<byte> value))
                {
                    extensions[name] = value;
                }
                else
                {
                    extensions.Remove(name);
                }

                continue;
            }

            switch (path)
            {
                case "labels":
                    labels = new Dictionary<string, string>(updated.Labels, StringComparer.Ordinal);
                    break;
                case "extensions":
                    extensions = new Dictionary<string, ReadOnlyMemory<byte>>(updated.Extensions, StringComparer.Ordinal);
                    break;
                case "spec":
                    result = result with { Spec = updated.Spec };
                    break;
                case "image":
                    result = result with { Image = updated.Image };
                    break;
                case "snapshotkey":
                    result = result with { SnapshotKey = updated.SnapshotKey };
                    break;
                case "runtime" or "runtime.name" or "runtime.options":
                    throw new InvalidSpecException(path, "container.Runtime field is immutable");
                case "snapshotter":
                    throw new InvalidSpecException(path, "container.Snapshotter field is immutable");
                default:
                    throw new InvalidSpecException(path, $"cannot update \"{path}\" field on container");
            }
        }

        return result with { Labels = labels, Extensions = extensions };
    }

    private static void Validate(ContainerRecord container)
    {
        Identifiers.Validate(container.Id, "id");
        if (container.Runtime is null || string.IsNullOrEmpty(container.Runtime.Name))
        {
            throw new InvalidSpecException("runtime.name", "must be set");
        }

        LabelValidator.Validate(container.Labels, "labels");
        foreach (string name in container.Extensions.Keys)
        {
            if (name.Length == 0)
            {
                throw new InvalidSpecException("extensions", "an extension name must not be empty");
            }
        }

        if (container.SnapshotKey is not null && string.IsNullOrEmpty(container.Snapshotter))
        {
            throw new InvalidSpecException("snapshotter", "must be set when snapshotkey is set");
        }
    }

    /// <summary>containerd's container filter adaptor: id, image, runtime.name, snapshotter, snapshotkey, labels.</summary>
    private static (string Value, bool Present) Adapt(ContainerRecord record, IReadOnlyList<string> path) => path switch
    {
        ["id"] => (record.Id, true),
        ["image"] => (record.Image ?? string.Empty, record.Image is not null),
        ["runtime", "name"] or ["runtime"] => (record.Runtime.Name, true),
        ["snapshotter"] => (record.Snapshotter ?? string.Empty, record.Snapshotter is not null),
        ["snapshotkey"] => (record.SnapshotKey ?? string.Empty, record.SnapshotKey is not null),
        ["labels", ..] when path.Count > 1 => record.Labels.TryGetValue(string.Join('.', path.Skip(1)), out string? value) ? (value, true) : (string.Empty, false),
        _ => (string.Empty, false),
    };

    private ContainerRecord? Read(SqliteConnection connection, SqliteTransaction? transaction, string id)
    {
        ContainerRecord record;
        using (SqliteCommand command = MetadataDatabase.Command(connection, transaction,
            "SELECT image, spec, snapshotter, snapshot_key, sandbox_id, runtime_name, runtime_options, created_at, updated_at FROM containers WHERE namespace = $ns AND id = $id",
            ("$ns", _namespace), ("$id", id)))
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }

            record = new ContainerRecord(id, new RuntimeInfo(reader.GetString(5)) { Options = (byte[])reader.GetValue(6) })
            {
                Image = reader.IsDBNull(0) ? null : reader.GetString(0),
                Spec = (byte[])reader.GetValue(1),
                Snapshotter = reader.IsDBNull(2) ? null : reader.GetString(2),
                SnapshotKey = reader.IsDBNull(3) ? null : reader.GetString(3),
                SandboxId = reader.IsDBNull(4) ? null : reader.GetString(4),
                CreatedAt = new DateTimeOffset(reader.GetInt64(7), TimeSpan.Zero),
                UpdatedAt = new DateTimeOffset(reader.GetInt64(8), TimeSpan.Zero),
            };
        }

        var extensions = new Dictionary<string, ReadOnlyMemory<byte>>(StringComparer.Ordinal);
        using (SqliteCommand command = MetadataDatabase.Command(connection, transaction,
            "SELECT name, value FROM container_extensions WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id)))
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                extensions[reader.GetString(0)] = (byte[])reader.GetValue(1);
            }
        }

        return record with
        {
            Labels = MetadataDatabase.ReadPairs(connection, transaction, "SELECT key, value FROM container_labels WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id)),
            Extensions = extensions,
        };
    }

    private void WriteChildren(SqliteConnection connection, SqliteTransaction transaction, ContainerRecord record)
    {
        foreach ((string key, string value) in record.Labels)
        {
            MetadataDatabase.Execute(connection, transaction, "INSERT INTO container_labels (namespace, id, key, value) VALUES ($ns, $id, $key, $value)",
                ("$ns", _namespace), ("$id", record.Id), ("$key", key), ("$value", value));
        }

        foreach ((string name, ReadOnlyMemory<byte> value) in record.Extensions)
        {
            MetadataDatabase.Execute(connection, transaction, "INSERT INTO container_extensions (namespace, id, name, value) VALUES ($ns, $id, $name, $value)",
                ("$ns", _namespace), ("$id", record.Id), ("$name", name), ("$value", value.ToArray()));
        }
    }

    private void DeleteChildren(SqliteConnection connection, SqliteTransaction transaction, string id)
    {
        MetadataDatabase.Execute(connection, transaction, "DELETE FROM container_labels WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id));
        MetadataDatabase.Execute(connection, transaction, "DELETE FROM container_extensions WHERE namespace = $ns AND id = $id", ("$ns", _namespace), ("$id", id));
    }
}
