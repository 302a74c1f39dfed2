using Containers.Metadata;
using Microsoft.Data.Sqlite;

namespace Containers.Content;

/// <summary>
/// Labels and update times of blobs, kept in SQLite and scoped by namespace the way containerd keeps
/// them in its bolt metadata buckets: the blob bytes are shared, what is said about them is not.
/// </summary>
internal sealed class ContentLabelStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS content_labels (
            namespace TEXT NOT NULL,
            digest    TEXT NOT NULL,
            key       TEXT NOT NULL,
            value     TEXT NOT NULL,
            PRIMARY KEY (namespace, digest, key)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS content_updates (
            namespace  TEXT NOT NULL,
            digest     TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, digest)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;
    private readonly string _namespace;

    public ContentLabelStore(string databasePath, string @namespace)
    {
        _connectionString = SqliteDatabase.ConnectionString(databasePath);
        _namespace = @namespace;
        using SqliteConnection connection = Open();
        Execute(connection, null, Schema);
    }

    /// <summary>containerd's bound on one label: key and value together.</summary>
    public const int MaxLabelLength = 4096;

    /// <summary>Checks labels as containerd does: non-empty keys, key and value within 4096 characters.</summary>
    /// <exception cref="ArgumentException">A label is invalid.</exception>
    public static void Validate(IEnumerable<KeyValuePair<string, string?>> labels, string parameterName)
    {
        foreach ((string key, string? value) in labels)
        {
            if (key.Length == 0)
            {
                throw new ArgumentException("a label key must not be empty", parameterName);
            }

            if (key.Length + (value?.Length ?? 0) > MaxLabelLength)
            {
                throw new ArgumentException($"label \"{key[..Math.Min(key.Length, 64)]}\" exceeds {MaxLabelLength} characters (key and value together)", parameterName);
            }
        }
    }

    /// <summary>The labels of a blob in this namespace and when they last changed (null: never set here).</summary>
    public (Dictionary<string, string> Labels, DateTimeOffset? UpdatedAt) Get(Digest digest)
    {
        using SqliteConnection connection = Open();
        return (ReadLabels(connection, null, digest), ReadUpdatedAt(connection, digest));
    }

    /// <summary>Replaces all labels of a blob.</summary>
    public Dictionary<string, string> Set(Digest digest, IReadOnlyDictionary<string, string> labels, DateTimeOffset updatedAt)
    {
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        Execute(connection, transaction, "DELETE FROM content_labels WHERE namespace = $ns AND digest = $digest", ("$digest", digest.ToString()));
        foreach ((string key, string value) in labels)
        {
            if (value.Length > 0)
            {
                Upsert(connection, transaction, digest, key, value);
            }
        }

        Touch(connection, transaction, digest, updatedAt);
        transaction.Commit();
        return new Dictionary<string, string>(labels.Where(pair => pair.Value.Length > 0), StringComparer.Ordinal);
    }

    /// <summary>Sets the given labels; a null or empty value removes the label. Returns all labels after.</summary>
    public Dictionary<string, string> Update(Digest digest, IReadOnlyDictionary<string, string?> changes, DateTimeOffset updatedAt)
    {
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        foreach ((string key, string? value) in changes)
        {
            if (string.IsNullOrEmpty(value))
            {
                Execute(connection, transaction, "DELETE FROM content_labels WHERE namespace = $ns AND digest = $digest AND key = $key",
                    ("$digest", digest.ToString()), ("$key", key));
            }
            else
            {
                Upsert(connection, transaction, digest, key, value);
            }
        }

        Touch(connection, transaction, digest, updatedAt);
        Dictionary<string, string> labels = ReadLabels(connection, transaction, digest);
        transaction.Commit();
        return labels;
    }

    /// <summary>Records that the blob changed without changing its labels.</summary>
    public void Touch(Digest digest, DateTimeOffset updatedAt)
    {
        using SqliteConnection connection = Open();
        Touch(connection, null, digest, updatedAt);
    }

    /// <summary>Forgets everything about a blob in this namespace.</summary>
    public void Delete(Digest digest)
    {
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction();
        Execute(connection, transaction, "DELETE FROM content_labels WHERE namespace = $ns AND digest = $digest", ("$digest", digest.ToString()));
        Execute(connection, transaction, "DELETE FROM content_updates WHERE namespace = $ns AND digest = $digest", ("$digest", digest.ToString()));
        transaction.Commit();
    }

    private SqliteConnection Open() => SqliteDatabase.Open(_connectionString);

    private void Upsert(SqliteConnection connection, SqliteTransaction transaction, Digest digest, string key, string value) =>
        Execute(connection, transaction,
            "INSERT INTO content_labels (namespace, digest, key, value) VALUES ($ns, $digest, $key, $value) " +
            "ON CONFLICT (namespace, digest, key) DO UPDATE SET value = excluded.value",
            ("$digest", digest.ToString()), ("$key", key), ("$value", value));

    private void Touch(SqliteConnection connection, SqliteTransaction? transaction, Digest digest, DateTimeOffset updatedAt) =>
        Execute(connection, transaction,
            "INSERT INTO content_updates (namespace, digest, updated_at) VALUES ($ns, $digest, $at) " +
            "ON CONFLICT (namespace, digest) DO UPDATE SET updated_at = excluded.updated_at",
            ("$digest", digest.ToString()), ("$at", updatedAt.UtcTicks));

    private Dictionary<string, string> ReadLabels(SqliteConnection connection, SqliteTransaction? transaction, Digest digest)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT key, value FROM content_labels WHERE namespace = $ns AND digest = $digest",
            ("$digest", digest.ToString()));
        using SqliteDataReader reader = command.ExecuteReader();
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            labels[reader.GetString(0)] = reader.GetString(1);
        }

        return labels;
    }

    private DateTimeOffset? ReadUpdatedAt(SqliteConnection connection, Digest digest)
    {
        using SqliteCommand command = Command(connection, null, "SELECT updated_at FROM content_updates WHERE namespace = $ns AND digest = $digest",
            ("$digest", digest.ToString()));
        object? ticks = command.ExecuteScalar();
        return ticks is long value ? new DateTimeOffset(value, TimeSpan.Zero) : null;
    }

    private void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        using SqliteCommand command = Command(connection, transaction, sql, parameters);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params ReadOnlySpan<(string Name, object Value)> parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        if (sql.Contains("$ns", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("$ns", _namespace);
        }

        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
