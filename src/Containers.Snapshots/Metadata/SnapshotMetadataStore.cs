using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Containers.Snapshots.Metadata;

/// <summary>
/// The snapshot records of one snapshotter in an embedded SQLite database (containerd keeps the same in
/// its snapshotter's bolt <c>metadata.db</c>). Every change runs in one transaction, and the caller
/// performs its directory rename inside that transaction, before the commit, so a crash leaves at worst a
/// directory without a record — which <see cref="DirectorySnapshotter.CleanupAsync"/> removes.
/// </summary>
/// <remarks>
/// Durability: the database runs in WAL mode, where every commit appends to one log. A transaction on a
/// connection opened with <c>synced: true</c> (<c>synchronous = FULL</c>) fsyncs the log before it returns;
/// one opened with <c>synced: false</c> (<c>NORMAL</c>) only writes it. Because the log is appended in
/// commit order and an fsync covers all of it, a later synced commit makes every earlier unsynced one durable
/// too: an OS crash or power loss can lose only a tail of unsynced commits, never one in the middle. The
/// snapshotter uses unsynced commits only for creating and removing active snapshots and views (a
/// container's root, which a power loss ends anyway) and states what such a lost tail leaves on disk.
/// </remarks>
internal sealed class SnapshotMetadataStore : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS snapshots (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            name       TEXT NOT NULL UNIQUE,
            kind       INTEGER NOT NULL,
            parent_id  INTEGER REFERENCES snapshots (id),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            size       INTEGER NOT NULL DEFAULT 0,
            inodes     INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IF NOT EXISTS snapshots_parent ON snapshots (parent_id);
        CREATE TABLE IF NOT EXISTS snapshot_labels (
            id    INTEGER NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
            key   TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (id, key)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;

    public SnapshotMetadataStore(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Pooled: when the last connection to a WAL database closes, SQLite checkpoints it and deletes
            // its WAL, and a connection opening the WAL anew also syncs the directory on its first commit:
            // one connection per operation cost two fsyncs and a checkpoint per transaction. Durability is
            // unchanged (synchronous = FULL syncs the WAL at each commit). Dispose closes the idle ones.
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using SqliteConnection connection = Open();
        Execute(connection, null, Schema);
    }

    /// <summary>Closes the idle pooled connections (the last close checkpoints the WAL into the database).</summary>
    public void Dispose()
    {
        using SqliteConnection connection = new(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>containerd's bound on one label: key and value together.</summary>
    public const int MaxLabelLength = 4096;

    /// <summary>Opens a connection with foreign keys on; the caller begins its own transaction.</summary>
    /// <param name="synced">
    /// Whether the connection's commits are fsynced (<c>synchronous = FULL</c>, the default) or only written
    /// (<c>NORMAL</c>): see the remarks of <see cref="SnapshotMetadataStore"/>. Every open sets the level, so a
    /// pooled connection never carries an unsynced level into the next operation's transaction.
    /// </param>
    public SqliteConnection Open(bool synced = true)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, null, synced ? "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;" : "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
        return connection;
    }

    /// <summary>Sets whether the connection's next commits are fsynced; SQLite refuses this inside a transaction.</summary>
    public static void SetSynced(SqliteConnection connection, bool synced) =>
        Execute(connection, null, synced ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");

    /// <summary>Checks labels as containerd does: non-empty keys, key and value within 4096 characters.</summary>
    /// <exception cref="InvalidSpecException">A label is invalid.</exception>
    public static void ValidateLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }

        foreach ((string key, string value) in labels)
        {
            if (key.Length == 0)
            {
                throw new InvalidSpecException("labels", "a label key must not be empty");
            }

            if (key.Length + (value?.Length ?? 0) > MaxLabelLength)
            {
                throw new InvalidSpecException($"labels.{key[..Math.Min(key.Length, 64)]}", $"exceeds {MaxLabelLength} characters (key and value together)");
            }
        }
    }

    /// <summary>Finds a snapshot by key or name, with its parent chain; null when absent.</summary>
    public static SnapshotRecord? Find(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        long? id;
        using (SqliteCommand command = Command(connection, transaction, "SELECT id FROM snapshots WHERE name = $name", ("$name", name)))
        {
            id = command.ExecuteScalar() is long value ? value : null;
        }

        return id is null ? null : Get(connection, transaction, id.Value);
    }

    /// <summary>Finds a snapshot by key or name, or throws <see cref="NotFoundException"/>.</summary>
    public static SnapshotRecord Require(SqliteConnection connection, SqliteTransaction? transaction, string name) =>
        Find(connection, transaction, name) ?? throw new NotFoundException("snapshot", name);

    /// <summary>Reads one snapshot by id, with its parent chain.</summary>
    public static SnapshotRecord Get(SqliteConnection connection, SqliteTransaction? transaction, long id)
    {
        Row row = ReadRow(connection, transaction, id)
            ?? throw new NotFoundException("snapshot", id.ToString(CultureInfo.InvariantCulture));
        var parents = new List<long>();
        string? parentName = null;
        long? next = row.ParentId;
        while (next is long parentId)
        {
            Row parent = ReadRow(connection, transaction, parentId)
                ?? throw new InvalidOperationException($"snapshot metadata is corrupt: parent {parentId} of {row.Name} is missing");
            parentName ??= parent.Name;
            parents.Add(parentId);
            next = parent.ParentId;
        }

        var info = new SnapshotInfo(row.Kind, row.Name)
        {
            Parent = parentName,
            Labels = ReadLabels(connection, transaction, id),
            CreatedAt = new DateTimeOffset(row.Created, TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(row.Updated, TimeSpan.Zero),
        };
        return new SnapshotRecord(id, info, parents, new SnapshotUsage(row.Size, row.Inodes));
    }

    /// <summary>Lists every snapshot id.</summary>
    public static List<long> AllIds(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT id FROM snapshots ORDER BY id");
        using SqliteDataReader reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Inserts a new active snapshot or view and returns its id.</summary>
    /// <exception cref="AlreadyExistsException">The key is taken.</exception>
    public static long Insert(SqliteConnection connection, SqliteTransaction transaction, SnapshotKind kind, string key, long? parentId, IReadOnlyDictionary<string, string>? labels, DateTimeOffset now)
    {
        if (Find(connection, transaction, key) is not null)
        {
            throw new AlreadyExistsException("snapshot", key);
        }

        using SqliteCommand command = Command(connection, transaction,
            "INSERT INTO snapshots (name, kind, parent_id, created_at, updated_at) VALUES ($name, $kind, $parent, $now, $now) RETURNING id",
            ("$name", key), ("$kind", (long)kind), ("$parent", parentId is long p ? p : DBNull.Value), ("$now", now.UtcTicks));
        long id = (long)command.ExecuteScalar()!;
        WriteLabels(connection, transaction, id, labels);
        return id;
    }

    /// <summary>Turns an active snapshot into a committed one under a new name, recording its usage.</summary>
    /// <exception cref="AlreadyExistsException">The name is taken.</exception>
    public static void Commit(SqliteConnection connection, SqliteTransaction transaction, long id, string name, IReadOnlyDictionary<string, string>? labels, SnapshotUsage usage, DateTimeOffset now)
    {
        if (Find(connection, transaction, name) is not null)
        {
            throw new AlreadyExistsException("snapshot", name);
        }

        Execute(connection, transaction,
            "UPDATE snapshots SET name = $name, kind = $kind, size = $size, inodes = $inodes, created_at = $now, updated_at = $now WHERE id = $id",
            ("$name", name), ("$kind", (long)SnapshotKind.Committed), ("$size", usage.Size), ("$inodes", usage.Inodes), ("$now", now.UtcTicks), ("$id", id));
        Execute(connection, transaction, "DELETE FROM snapshot_labels WHERE id = $id", ("$id", id));
        WriteLabels(connection, transaction, id, labels);
    }

    /// <summary>Replaces the labels of a snapshot and touches its update time.</summary>
    public static void SetLabels(SqliteConnection connection, SqliteTransaction transaction, long id, IReadOnlyDictionary<string, string> labels, DateTimeOffset now)
    {
        Execute(connection, transaction, "DELETE FROM snapshot_labels WHERE id = $id", ("$id", id));
        WriteLabels(connection, transaction, id, labels);
        Execute(connection, transaction, "UPDATE snapshots SET updated_at = $now WHERE id = $id", ("$now", now.UtcTicks), ("$id", id));
    }

    /// <summary>Whether any snapshot has this one as its parent.</summary>
    public static bool HasChildren(SqliteConnection connection, SqliteTransaction? transaction, long id)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT 1 FROM snapshots WHERE parent_id = $id LIMIT 1", ("$id", id));
        return command.ExecuteScalar() is not null;
    }

    /// <summary>Lists the ids of the active snapshots and views.</summary>
    public static List<long> UncommittedIds(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT id FROM snapshots WHERE kind != $committed ORDER BY id", ("$committed", (long)SnapshotKind.Committed));
        using SqliteDataReader reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Deletes the record of an active snapshot or view; a committed one (or none) with that id is left alone.</summary>
    public static void DeleteUncommitted(SqliteConnection connection, SqliteTransaction transaction, long id) =>
        Execute(connection, transaction, "DELETE FROM snapshots WHERE id = $id AND kind != $committed", ("$id", id), ("$committed", (long)SnapshotKind.Committed));

    /// <summary>Deletes a snapshot's record and labels.</summary>
    public static void Delete(SqliteConnection connection, SqliteTransaction transaction, long id) =>
        Execute(connection, transaction, "DELETE FROM snapshots WHERE id = $id", ("$id", id));

    private static Row? ReadRow(SqliteConnection connection, SqliteTransaction? transaction, long id)
    {
        using SqliteCommand command = Command(connection, transaction,
            "SELECT id, name, kind, parent_id, created_at, updated_at, size, inodes FROM snapshots WHERE id = $id", ("$id", id));
        using SqliteDataReader reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new Row(reader.GetInt64(0), reader.GetString(1), (SnapshotKind)reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7));
    }

    private static Dictionary<string, string> ReadLabels(SqliteConnection connection, SqliteTransaction? transaction, long id)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT key, value FROM snapshot_labels WHERE id = $id", ("$id", id));
        using SqliteDataReader reader = command.ExecuteReader();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            labels[reader.GetString(0)] = reader.GetString(1);
        }

        return labels;
    }

    private static void WriteLabels(SqliteConnection connection, SqliteTransaction transaction, long id, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }

        foreach ((string key, string value) in labels)
        {
            // containerd drops labels with empty values rather than storing them.
            if (!string.IsNullOrEmpty(value))
            {
                Execute(connection, transaction, "INSERT INTO snapshot_labels (id, key, value) VALUES ($id, $key, $value)", ("$id", id), ("$key", key), ("$value", value));
            }
        }
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        using SqliteCommand command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private readonly record struct Row(long Id, string Name, SnapshotKind Kind, long? ParentId, long Created, long Updated, long Size, long Inodes);
}
