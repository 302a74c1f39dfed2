using System.Runtime.CompilerServices;
using System.Text.Json;
using Containers.Content;
using Containers.Filters;
using Containers.Metadata;
using Containers.Oci.Image;
using Microsoft.Data.Sqlite;

namespace Containers.Images;

/// <summary>
/// Image records in SQLite, with containerd's <c>images.Store</c> semantics: a name in a namespace
/// bound to the descriptor of a manifest or index, with labels and created/updated times.
/// </summary>
/// <remarks>
/// Every change is one SQLite transaction taken with <c>BEGIN IMMEDIATE</c>, so concurrent writers
/// (threads or processes) serialise on the database's write lock instead of failing half-way; the
/// write-ahead log keeps readers from blocking writers. The table lives beside the content labels in
/// the stack's <c>metadata.db</c> when both are given the same database path.
/// </remarks>
public sealed class SqliteImageStore : IImageStore
{
    /// <summary>The longest image name accepted (containerd bounds names by its reference grammar).</summary>
    public const int MaxNameLength = 4096;

    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS images (
            namespace   TEXT NOT NULL,
            name        TEXT NOT NULL,
            target      TEXT NOT NULL,
            labels      TEXT NOT NULL,
            created_at  INTEGER NOT NULL,
            updated_at  INTEGER NOT NULL,
            PRIMARY KEY (namespace, name)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    /// <summary>Opens (creating when needed) the image table in <paramref name="databasePath"/>.</summary>
    /// <param name="databasePath">The SQLite database, usually the stack's <c>metadata.db</c>.</param>
    /// <param name="namespace">The namespace whose images this instance sees and changes.</param>
    /// <param name="timeProvider">The clock for created/updated times; the system clock by default.</param>
    public SqliteImageStore(string databasePath, string @namespace = "default", TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        Namespace = @namespace;
        _time = timeProvider ?? TimeProvider.System;
        _connectionString = SqliteDatabase.ConnectionString(databasePath);
        using SqliteConnection connection = Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
    }

    /// <summary>The namespace whose images this instance sees.</summary>
    public string Namespace { get; }

    /// <inheritdoc />
    public ValueTask<Image> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = Open();
        return ValueTask.FromResult(Read(connection, null, name) ?? throw new NotFoundException("image", name));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<Image> ListAsync(IReadOnlyList<string>? filters = null, CancellationToken cancellationToken = default)
    {
        // Parsed here, not in the iterator, so a bad filter fails at the call.
        Filter filter = Filter.ParseAll(filters);
        return ListAsync(filter, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<Image> CreateAsync(Image image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        Validate(image);
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = Now();
        Image stored = image with { CreatedAt = now, UpdatedAt = now, Labels = CopyLabels(image.Labels) };
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        if (Exists(connection, transaction, image.Name))
        {
            throw new AlreadyExistsException("image", image.Name);
        }

        Write(connection, transaction, stored, insert: true);
        transaction.Commit();
        return ValueTask.FromResult(stored);
    }

    /// <inheritdoc />
    public ValueTask<Image> UpdateAsync(Image image, IReadOnlyList<string>? fieldPaths = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ValidateName(image.Name);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        Image current = Read(connection, transaction, image.Name) ?? throw new NotFoundException("image", image.Name);
        Image updated = ApplyFields(current, image, fieldPaths);
        Validate(updated);
        updated = updated with { CreatedAt = current.CreatedAt, UpdatedAt = Now() };
        Write(connection, transaction, updated, insert: false);
        transaction.Commit();
        return ValueTask.FromResult(updated);
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string name, Digest? expectedTarget = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        cancellationToken.ThrowIfCancellationRequested();
        using SqliteConnection connection = Open();
        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        Image current = Read(connection, transaction, name) ?? throw new NotFoundException("image", name);
        if (expectedTarget is { } expected && current.Target.Digest != expected)
        {
            throw new FailedPreconditionException($"image \"{name}\" points at {current.Target.Digest}, not {expected}");
        }

        using SqliteCommand command = Command(connection, transaction, "DELETE FROM images WHERE namespace = $ns AND name = $name");
        command.Parameters.AddWithValue("$name", name);
        command.ExecuteNonQuery();
        transaction.Commit();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<Image> ListAsync(Filter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<Image> images = [];
        using (SqliteConnection connection = Open())
        {
            using SqliteCommand command = Command(connection, null, "SELECT name, target, labels, created_at, updated_at FROM images WHERE namespace = $ns ORDER BY name");
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Image image = ReadRow(reader);
                if (filter.Matches(path => Lookup(image, path)))
                {
                    images.Add(image);
                }
            }
        }

        // The connection is closed before the caller sees an image, so a slow consumer holds no lock.
        foreach (Image image in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return image;
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    /// <summary>containerd's image filter fields: name, target.digest, target.mediatype, labels.</summary>
    private static (string Value, bool Present) Lookup(Image image, IReadOnlyList<string> path)
    {
        if (path.Count == 0)
        {
            return (string.Empty, false);
        }

        switch (path[0])
        {
            case "name" when path.Count == 1:
                return (image.Name, true);
            case "target" when path.Count == 2 && path[1] == "digest":
                return (image.Target.Digest.ToString(), true);
            case "target" when path.Count == 2 && path[1] == "mediatype":
                return (image.Target.MediaType, true);
            case "labels" when path.Count >= 2:
                return image.Labels.TryGetValue(string.Join('.', path.Skip(1)), out string? value) ? (value, true) : (string.Empty, false);
            default:
                return (string.Empty, false);
        }
    }

    private static Image ApplyFields(Image current, Image change, IReadOnlyList<string>? fieldPaths)
    {
        if (fieldPaths is null || fieldPaths.Count == 0)
        {
            return current with { Target = change.Target, Labels = CopyLabels(change.Labels) };
        }

        Image result = current;
        Dictionary<string, string> labels = new(current.Labels, StringComparer.Ordinal);
        foreach (string path in fieldPaths)
        {
            if (path == "target")
            {
                result = result with { Target = change.Target };
            }
            else if (path == "labels")
            {
                labels = CopyLabels(change.Labels);
            }
            else if (path.StartsWith("labels.", StringComparison.Ordinal) && path.Length > "labels.".Length)
            {
                string key = path["labels.".Length..];
                if (change.Labels.TryGetValue(key, out string? value) && value.Length > 0)
                {
                    labels[key] = value;
                }
                else
                {
                    labels.Remove(key);
                }
            }
            else if (path == "annotations")
            {
                // The image's annotations are those of its target descriptor.
                Descriptor target = CloneDescriptor(result.Target);
                target.Annotations = change.Target.Annotations is null ? null : new Dictionary<string, string>(change.Target.Annotations, StringComparer.Ordinal);
                result = result with { Target = target };
            }
            else if (path is "name" or "createdat" or "updatedat")
            {
                throw new InvalidSpecException(path, "the field is immutable");
            }
            else
            {
                throw new InvalidSpecException(path, "unknown field path for an image update (expected target, labels, labels.<key> or annotations)");
            }
        }

        return result with { Labels = labels };
    }

    private static Descriptor CloneDescriptor(Descriptor descriptor) => ImageSpecJson.ParseDescriptor(ImageSpecJson.Serialize(descriptor), ImageSpecJson.MaxManifestBytes);

    private static Dictionary<string, string> CopyLabels(IReadOnlyDictionary<string, string> labels) =>
        new(labels.Where(pair => pair.Value.Length > 0), StringComparer.Ordinal);

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidSpecException("name", "must not be empty");
        }

        if (name.Length > MaxNameLength)
        {
            throw new InvalidSpecException("name", $"longer than {MaxNameLength} characters");
        }
    }

    /// <summary>containerd's validateImage: a name and a complete target.</summary>
    private static void Validate(Image image)
    {
        ValidateName(image.Name);
        if (image.Target is null)
        {
            throw new InvalidSpecException("target", "must be set");
        }

        if (string.IsNullOrEmpty(image.Target.MediaType))
        {
            throw new InvalidSpecException("target.mediaType", "must be set");
        }

        if (image.Target.Digest.IsEmpty)
        {
            throw new InvalidSpecException("target.digest", "must be set");
        }

        if (image.Target.Size <= 0)
        {
            throw new InvalidSpecException("target.size", "must be greater than zero");
        }

        try
        {
            ContentLabelStore.Validate(image.Labels!, nameof(image));
        }
        catch (ArgumentException e)
        {
            throw new InvalidSpecException("labels", e.Message, e);
        }
    }

    private DateTimeOffset Now()
    {
        // Stored as ticks; microsecond precision is plenty and keeps round trips exact.
        DateTimeOffset now = _time.GetUtcNow();
        return new DateTimeOffset(now.UtcTicks - (now.UtcTicks % 10), TimeSpan.Zero);
    }

    private SqliteConnection Open() => SqliteDatabase.Open(_connectionString);

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$ns", Namespace);
        return command;
    }

    private bool Exists(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT 1 FROM images WHERE namespace = $ns AND name = $name");
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is not null;
    }

    private Image? Read(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using SqliteCommand command = Command(connection, transaction, "SELECT name, target, labels, created_at, updated_at FROM images WHERE namespace = $ns AND name = $name");
        command.Parameters.AddWithValue("$name", name);
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? ReadRow(reader) : null;
    }

    private static Image ReadRow(SqliteDataReader reader)
    {
        Descriptor target = ImageSpecJson.ParseDescriptor(System.Text.Encoding.UTF8.GetBytes(reader.GetString(1)), ImageSpecJson.MaxManifestBytes);
        Dictionary<string, string> labels = JsonSerializer.Deserialize(reader.GetString(2), ImageStoreJsonContext.Default.DictionaryStringString) ?? [];
        return new Image(reader.GetString(0), target)
        {
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            CreatedAt = new DateTimeOffset(reader.GetInt64(3), TimeSpan.Zero),
            UpdatedAt = new DateTimeOffset(reader.GetInt64(4), TimeSpan.Zero),
        };
    }

    private void Write(SqliteConnection connection, SqliteTransaction transaction, Image image, bool insert)
    {
        using SqliteCommand command = Command(connection, transaction, insert
            ? "INSERT INTO images (namespace, name, target, labels, created_at, updated_at) VALUES ($ns, $name, $target, $labels, $created, $updated)"
            : "UPDATE images SET target = $target, labels = $labels, updated_at = $updated WHERE namespace = $ns AND name = $name");
        command.Parameters.AddWithValue("$name", image.Name);
        command.Parameters.AddWithValue("$target", System.Text.Encoding.UTF8.GetString(ImageSpecJson.Serialize(image.Target)));
        command.Parameters.AddWithValue("$labels", JsonSerializer.Serialize(new Dictionary<string, string>(image.Labels, StringComparer.Ordinal), ImageStoreJsonContext.Default.DictionaryStringString));
        command.Parameters.AddWithValue("$created", image.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$updated", image.UpdatedAt.UtcTicks);
        command.ExecuteNonQuery();
    }
}
