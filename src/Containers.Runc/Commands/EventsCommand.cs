using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs events [--stats] [--interval 5s] id</c>: runc's event stream, one JSON object a line:
/// <c>{"type":"stats","id":…,"data":{…}}</c> every interval and <c>{"type":"oom","id":…}</c> for each
/// OOM notification; with <c>--stats</c> one stats event and exit. The stream ends when the
/// container stops (runc keeps printing errors instead). This verb never clones, so it may use
/// the thread pool and async.
/// </summary>
internal static class EventsCommand
{
    private static readonly Lock Gate = new();

    public static int Execute(CommandLine line, ContainerStore store)
    {
        ContainerRecord record = store.Load(Verbs.SingleId(line));
        TimeSpan interval = GoDuration.Parse(line.Option("--interval") ?? "5s", "--interval");
        if (interval <= TimeSpan.Zero)
        {
            throw new UsageException("duration interval must be greater than 0");
        }

        if (store.StatusOf(record) == ContainerStatus.Stopped)
        {
            throw new FailedPreconditionException("container with id " + record.Id + " is not running");
        }

        ICgroupManager cgroup = ContainerCgroups.Of(record);
        if (line.Switch("--stats"))
        {
            Emit("stats", record.Id, cgroup.GetStats());
            return 0;
        }

        StreamAsync(record, store, cgroup, interval).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task StreamAsync(ContainerRecord record, ContainerStore store, ICgroupManager cgroup, TimeSpan interval)
    {
        using CancellationTokenSource stop = new();
        IAsyncEnumerator<ulong> oom = cgroup.WatchOomEventsAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        // The first MoveNextAsync runs synchronously up to the first wait, so the watch is
        // registered before the first stats event: an OOM after that is never missed.
        Task<bool> next = oom.MoveNextAsync().AsTask();
        Task watcher = WatchAsync(oom, next, record.Id);
        try
        {
            using PeriodicTimer timer = new(interval);
            while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                if (store.StatusOf(record) == ContainerStatus.Stopped || !cgroup.Exists())
                {
                    break;
                }

                try
                {
                    Emit("stats", record.Id, cgroup.GetStats());
                }
                catch (CgroupException ex)
                {
                    // The cgroup went away between the check and the read: the container is gone.
                    Output.Error($"runcs: {ex.Message}");
                    break;
                }
            }

            // An OOM kill usually ends the container: give the watcher the notification it may still hold.
            await Task.WhenAny(watcher, Task.Delay(TimeSpan.FromMilliseconds(200))).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await watcher.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose.
            }

            await oom.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task WatchAsync(IAsyncEnumerator<ulong> oom, Task<bool> first, string id)
    {
        bool more = await first.ConfigureAwait(false);
        while (more)
        {
            Emit("oom", id, null);
            more = await oom.MoveNextAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes one event line; <paramref name="stats"/> is omitted (as runc's omitempty data) when null.</summary>
    private static void Emit(string type, string id, CgroupStats? stats)
    {
        ArrayBufferWriter<byte> buffer = new();
        using (Utf8JsonWriter writer = new(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("id", id);
            if (stats is not null)
            {
                // runc's stats also carry Intel RDT and network interface statistics, which runcs
                // has neither of; runc prints them empty for such a container, and so does runcs.
                JsonObject data = JsonSerializer.SerializeToNode(stats, CgroupStatsJsonContext.Default.CgroupStats)!.AsObject();
                data["intel_rdt"] = new JsonObject();
                data["network_interfaces"] = null;
                writer.WritePropertyName("data");
                data.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        lock (Gate)
        {
            Output.Out(buffer.WrittenSpan);
            Output.Out("\n"u8);
        }
    }
}
