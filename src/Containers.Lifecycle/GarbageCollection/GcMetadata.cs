using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Containers.GarbageCollection;

/// <summary>
/// Everything the mark phase reads from the metadata databases, across all namespaces: leases with
/// their resources, images, containers, and blob labels. Read inside the collector's write
/// transactions, so no writer can add a reference while the graph is marked and swept.
/// Tables are read wherever they exist: the stack keeps them in one <c>metadata.db</c>, but a content
/// store may keep its labels in a database of its own.
/// </summary>
internal sealed class GcMetadata
{
    public List<LeaseRow> Leases { get; } = [];

    public List<ImageRow> Images { get; } = [];

    public List<ContainerRow> Containers { get; } = [];

    /// <summary>Blob labels: digest → (namespace → labels).</summary>
    public Dictionary<string, Dictionary<string, Dictionary<string, string>>> ContentLabels { get; } = new(StringComparer.Ordinal);

    public void Load(SqliteConnection connection, SqliteTransaction transaction)
    {
        if (TableExists(connection, transaction, "leases"))
        {
            LoadLeases(connection, transaction);
        }

        if (TableExists(connection, transaction, "images"))
        {
            foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, name, target, labels FROM images"))
            {
                Images.Add(new ImageRow((string)row[0]!, (string)row[1]!, TargetDigest((string)row[2]!), JsonLabels((string)row[3]!)));
            }
        }

        if (TableExists(connection, transaction, "containers"))
        {
            var labels = new Dictionary<(string, string), Dictionary<string, string>>();
            if (TableExists(connection, transaction, "container_labels"))
            {
                foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, id, key, value FROM container_labels"))
                {
                    Get(labels, ((string)row[0]!, (string)row[1]!))[(string)row[2]!] = (string)row[3]!;
                }
            }

            foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, id, snapshotter, snapshot_key FROM containers"))
            {
                (string ns, string id) = ((string)row[0]!, (string)row[1]!);
                Containers.Add(new ContainerRow(ns, id, row[2] as string, row[3] as string, labels.GetValueOrDefault((ns, id)) ?? []));
            }
        }

        if (TableExists(connection, transaction, "content_labels"))
        {
            foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, digest, key, value FROM content_labels"))
            {
                if (!ContentLabels.TryGetValue((string)row[1]!, out Dictionary<string, Dictionary<string, string>>? byNamespace))
                {
                    ContentLabels[(string)row[1]!] = byNamespace = new(StringComparer.Ordinal);
                }

                Get(byNamespace, (string)row[0]!)[(string)row[2]!] = (string)row[3]!;
            }
        }
    }

    /// <summary>Whether <paramref name="connection"/>'s database holds <paramref name="table"/>.</summary>
    public static bool TableExists(SqliteConnection connection, SqliteTransaction transaction, string table)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        return command.ExecuteScalar() is not null;
    }

    private void LoadLeases(SqliteConnection connection, SqliteTransaction transaction)
    {
        var labels = new Dictionary<(string, string), Dictionary<string, string>>();
        foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, id, key, value FROM lease_labels"))
        {
            Get(labels, ((string)row[0]!, (string)row[1]!))[(string)row[2]!] = (string)row[3]!;
        }

        var resources = new Dictionary<(string, string), List<(string Type, string Id)>>();
        foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, lease_id, type, resource_id FROM lease_resources"))
        {
            (string, string) key = ((string)row[0]!, (string)row[1]!);
            if (!resources.TryGetValue(key, out List<(string, string)>? list))
            {
                resources[key] = list = [];
            }

            list.Add(((string)row[2]!, (string)row[3]!));
        }

        foreach (object?[] row in Rows(connection, transaction, "SELECT namespace, id, expires_at FROM leases"))
        {
            (string ns, string id) = ((string)row[0]!, (string)row[1]!);
            DateTimeOffset? expires = row[2] is long ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
            Leases.Add(new LeaseRow(ns, id, expires, labels.GetValueOrDefault((ns, id)) ?? [], resources.GetValueOrDefault((ns, id)) ?? []));
        }
    }

    private static Dictionary<string, string> Get<TKey>(Dictionary<TKey, Dictionary<string, string>> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out Dictionary<string, string>? labels))
        {
            map[key] = labels = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return labels;
    }

    private static List<object?[]> Rows(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using SqliteCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>The digest of an image's target descriptor (the store writes it as OCI JSON); null when unreadable.</summary>
    private static string? TargetDigest(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("digest", out JsonElement digest) && digest.ValueKind == JsonValueKind.String ? digest.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> JsonLabels(string json)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        labels[property.Name] = property.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Unreadable labels reference nothing; the image itself still is a root.
        }

        return labels;
    }

    internal sealed record LeaseRow(string Namespace, string Id, DateTimeOffset? ExpiresAt, Dictionary<string, string> Labels, List<(string Type, string Id)> Resources);

    internal sealed record ImageRow(string Namespace, string Name, string? Target, Dictionary<string, string> Labels);

    internal sealed record ContainerRow(string Namespace, string Id, string? Snapshotter, string? SnapshotKey, Dictionary<string, string> Labels);
}
