using System.Diagnostics;
using System.Globalization;
using Containers.Linux.Runtime;
using Containers.Oci.Runtime;

namespace Containers.Runc.Commands;

/// <summary>
/// Hidden verb <c>runcs spawn-stress -b bundle --count N [--allocate]</c>: N create → start → exit
/// cycles in one spawner process, optionally with a background thread allocating all the time
/// (DESIGN.md §2: 0 hangs required). Prints one line of counters.
/// </summary>
internal static class SpawnStressCommand
{
    public static int Execute(CommandLine line)
    {
        string bundle = Path.GetFullPath(line.Option("--bundle") ?? Directory.GetCurrentDirectory());
        int count = line.IntOption("--count", 1000);
        Spec spec = RuntimeSpecJson.ParseSpec(File.ReadAllBytes(Path.Combine(bundle, "config.json")));
        SpawnPlan plan = SpawnPlanFactory.Create(spec, bundle, []);
        string work = Directory.CreateTempSubdirectory("runcs-stress-").FullName;
        string fifo = Path.Combine(work, "exec.fifo");
        using CancellationTokenSource stop = new();
        Thread? allocator = null;
        long allocated = 0;
        if (line.Switch("--allocate"))
        {
            allocator = new Thread(() =>
            {
                List<byte[]> keep = [];
                while (!stop.IsCancellationRequested)
                {
                    keep.Add(new byte[1024 + (keep.Count % 64)]);
                    if (keep.Count > 4096)
                    {
                        keep.Clear();
                    }

                    Interlocked.Increment(ref allocated);
                }
            })
            { IsBackground = true, Name = "allocator" };
            allocator.Start();
        }

        int hangs = 0, failures = 0, retries = 0;
        int gcBefore = GC.CollectionCount(0);
        Stopwatch clock = Stopwatch.StartNew();
        ContainerSpawner spawner = new();
        try
        {
            for (int i = 0; i < count; i++)
            {
                Interop.ThrowOnError(Interop.MkFifo(fifo, 0x180), "mkfifo", fifo);
                using SpawnedProcess process = spawner.Spawn(plan with { ExecFifoPath = fifo });
                retries += process.CloneRetries;
                StartCommand.Release(fifo);
                if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    hangs++;
                    process.Signal(Interop.SIGKILL);
                }

                if (process.WaitForExit() != 0)
                {
                    failures++;
                }
            }
        }
        finally
        {
            stop.Cancel();
            allocator?.Join();
            Directory.Delete(work, recursive: true);
        }

        Output.Out(string.Create(CultureInfo.InvariantCulture,
            $"cycles={count} hangs={hangs} failures={failures} cloneRetries={retries} gcs={GC.CollectionCount(0) - gcBefore} allocations={Interlocked.Read(ref allocated)} ms={clock.ElapsedMilliseconds}\n"));
        return hangs == 0 && failures == 0 ? 0 : 1;
    }
}
