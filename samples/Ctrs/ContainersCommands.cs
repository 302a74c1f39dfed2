using System.Text;
using System.Text.Json;
using Containers.Client;
using Containers.Metadata;

namespace Containers.Samples.Ctrs;

/// <summary><c>ctrs containers ls | info ID | rm ID…</c>, as <c>ctr containers</c>.</summary>
internal static class ContainersCommands
{
    public static async Task<int> RunAsync(CtrsSettings settings, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        await using CtrsRuntime runtime = CtrsRuntime.Open(settings);
        ContainerClient client = runtime.Client;
        return args switch
        {
            ["ls" or "list", .. string[] filters] => await ListAsync(client, filters, cancellationToken),
            ["info", string id] => await InfoAsync(client, id, cancellationToken),
            ["rm" or "delete", .. string[] ids] when ids.Length > 0 => await RemoveAsync(client, ids, cancellationToken),
            _ => usage("containers ls [FILTER...] | info ID | rm ID..."),
        };
    }

    private static async Task<int> ListAsync(ContainerClient client, string[] filters, CancellationToken cancellationToken)
    {
        Console.WriteLine($"{"CONTAINER",-40} {"IMAGE",-50} RUNTIME");
        await foreach (Container container in client.ListContainersAsync(filters.Length == 0 ? null : filters, cancellationToken))
        {
            Console.WriteLine($"{container.Id,-40} {container.Record.Image ?? "-",-50} {container.Record.Runtime.Name}");
        }

        return 0;
    }

    /// <summary>The record as JSON, the spec and runtime options embedded as the JSON they are.</summary>
    private static async Task<int> InfoAsync(ContainerClient client, string id, CancellationToken cancellationToken)
    {
        ContainerRecord record = (await client.LoadContainerAsync(id, cancellationToken)).Record;
        await using Stream stdout = Console.OpenStandardOutput();
        await using (Utf8JsonWriter json = new(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("ID", record.Id);
            json.WriteStartObject("Labels");
            foreach (KeyValuePair<string, string> label in record.Labels)
            {
                json.WriteString(label.Key, label.Value);
            }

            json.WriteEndObject();
            json.WriteString("Image", record.Image);
            json.WriteStartObject("Runtime");
            json.WriteString("Name", record.Runtime.Name);
            if (!record.Runtime.Options.IsEmpty)
            {
                json.WritePropertyName("Options");
                json.WriteRawValue(record.Runtime.Options.Span);
            }

            json.WriteEndObject();
            json.WriteString("Snapshotter", record.Snapshotter);
            json.WriteString("SnapshotKey", record.SnapshotKey);
            json.WriteString("CreatedAt", record.CreatedAt);
            json.WriteString("UpdatedAt", record.UpdatedAt);
            json.WriteStartObject("Extensions");
            foreach (KeyValuePair<string, ReadOnlyMemory<byte>> extension in record.Extensions)
            {
                json.WriteBase64String(extension.Key, extension.Value.Span);
            }

            json.WriteEndObject();
            json.WritePropertyName("Spec");
            json.WriteRawValue(record.Spec.Span);
            json.WriteEndObject();
        }

        await stdout.WriteAsync(Encoding.UTF8.GetBytes("\n"), cancellationToken);
        return 0;
    }

    private static async Task<int> RemoveAsync(ContainerClient client, string[] ids, CancellationToken cancellationToken)
    {
        // Each id on its own, as ctr does: one refusal (it has a task) does not stop the others.
        int result = 0;
        foreach (string id in ids)
        {
            try
            {
                Container container = await client.LoadContainerAsync(id, cancellationToken);
                await container.DeleteAsync(cancellationToken);
                Console.WriteLine(id);
            }
            catch (ContainersException ex)
            {
                Console.Error.WriteLine($"ctrs: {id}: {ex.GetType().Name}: {ex.Message}");
                result = 1;
            }
        }

        return result;
    }
}
