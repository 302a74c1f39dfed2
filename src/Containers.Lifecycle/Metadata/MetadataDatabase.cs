using Microsoft.Data.Sqlite;

namespace Containers.Metadata;

/// <summary>
/// The embedded metadata database (<c>metadata.db</c>): containers and leases, each row scoped by
/// namespace as containerd scopes its bolt buckets. Every change runs in one SQLite transaction in WAL
/// mode, so a crash leaves either the old or the new state, never half of a record.
/// </summary>
/// <remarks>
/// <para>
/// Connections are pooled (returned open, reused): when the last connection to a WAL database closes,
/// SQLite checkpoints the WAL into the database and deletes the WAL and shared-memory files, and a
/// connection that opens the WAL anew syncs its directory on its first commit — so one connection per
/// operation cost two fsyncs and a checkpoint per small transaction. <see cref="Dispose"/> closes the
/// idle ones (the last close checkpoints).
/// </para>
/// <para>
/// <c>synchronous = NORMAL</c> (WAL): a commit is written to the WAL but not synced; the WAL is synced at
/// each checkpoint. SQLite keeps the database consistent either way (no half transaction, no corruption);
/// a process crash (kill -9) loses nothing committed, because the data is in the kernel's page cache. Only
/// an OS crash or power loss can roll back the last commits, after which no task of this host runs: a
/// container or lease created just before it may be missing (its snapshot is unreferenced and the
/// collector removes it), one deleted just before it may be back (its snapshot may be gone: the container
/// can still be deleted; a task of it fails naming the snapshot; a lease expires). containerd syncs every
/// bolt transaction instead; here that was two fsyncs per change, 5–9 per container run.
/// </para>
/// </remarks>
public sealed class MetadataDatabase : IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS containers (
            namespace       TEXT NOT NULL,
            id              TEXT NOT NULL,
            image           TEXT,
            spec            BLOB NOT NULL,
            snapshotter     TEXT,
            snapshot_key    TEXT,
            sandbox_id      TEXT,
            runtime_name    TEXT NOT NULL,
            runtime_options BLOB NOT NULL,
            created_at      INTEGER NOT NULL,
            updated_at      INTEGER NOT NULL,
            PRIMARY KEY (namespace, id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS container_labels (
            namespace TEXT NOT NULL,
            id        TEXT NOT NULL,
            key       TEXT NOT NULL,
            value     TEXT NOT NULL,
            PRIMARY KEY (namespace, id, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS container_extensions (
            namespace TEXT NOT NULL,
            id        TEXT NOT NULL,
            name      TEXT NOT NULL,
            value     BLOB NOT NULL,
            PRIMARY KEY (namespace, id, name)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS leases (
            namespace  TEXT NOT NULL,
            id         TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            PRIMARY KEY (namespace, id)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS lease_labels (
            namespace TEXT NOT NULL,
            id        TEXT NOT NULL,
            key       TEXT NOT NULL,
            value     TEXT NOT NULL,
            PRIMARY KEY (namespace, id, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS lease_resources (
            namespace     TEXT NOT NULL,
            lease_id      TEXT NOT NULL,
            type          TEXT NOT NULL,
            resource_id   TEXT NOT NULL,
            PRIMARY KEY (namespace, lease_id, type, resource_id)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/>.</summary>
    /// <param name="path">The database file, for example <c>/var/lib/containers-dotnet/metadata.db</c>.</param>
    public MetadataDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Pooled: see the remarks (dispose closes the idle connections).
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using SqliteConnection connection = Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
    }

    /// <summary>Closes the idle pooled connections (the last close checkpoints the WAL into the database).</summary>
    public void Dispose()
    {
        using SqliteConnection connection = new(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    private readonly Lock _callbacksLock = new();
    private Action<bool>[] _mutationCallbacks = [];

    /// <summary>
    /// Calls <paramref name="callback"/> after each committed change made through this object's stores
    /// (containers, leases), with <see langword="true"/> when the change deleted something or dropped a
    /// reference (containerd's dirty flag), as containerd's metadata database tells its gc scheduler.
    /// </summary>
    /// <param name="callback">Called on the writer's thread; it must be quick and must not throw.</param>
    public void RegisterMutationCallback(Action<bool> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_callbacksLock)
        {
            _mutationCallbacks = [.. _mutationCallbacks, callback];
        }
    }

    /// <summary>Tells the registered callbacks about a committed change.</summary>
    internal void NotifyMutation(bool dirty)
    {
        foreach (Action<bool> callback in Volatile.Read(ref _mutationCallbacks))
        {
            callback(dirty);
        }
    }

    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = NORMAL;";
        command.ExecuteNonQuery();
        return connection;
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach ((string name, object? value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    internal static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using SqliteCommand command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal static Dictionary<string, string> ReadPairs(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using SqliteCommand command = Command(connection, transaction, sql, parameters);
        using SqliteDataReader reader = command.ExecuteReader();
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            pairs[reader.GetString(0)] = reader.GetString(1);
        }

        return pairs;
    }
}
