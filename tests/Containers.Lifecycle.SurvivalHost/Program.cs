using System.Text;
using Containers.Lifecycle.Tasks;
using Containers.Tasks;

// Usage: SurvivalHost STATE SHIM READY-FILE (ID BUNDLE IO)...
// IO is a log file path (log-file mode: stdout and stderr appended to it by the shim), or fifo:BASE /
// tty:BASE (stdin BASE.in and stdout BASE.out, FIFOs the test made; tty: on a terminal). For the FIFO
// tasks this host writes "one" to stdin and reads until "got-one" comes back, as an attached host.
// Creates and starts one task per triple through ShimTaskService, writes READY-FILE, then waits to be killed.
var service = new ShimTaskService(new ShimTaskServiceOptions { StateDirectory = args[0], ShimPath = args[1] });
List<FileStream> attached = [];
for (int i = 3; i + 2 < args.Length; i += 3)
{
    string io = args[i + 2];
    bool fifo = io.StartsWith("fifo:", StringComparison.Ordinal);
    bool tty = io.StartsWith("tty:", StringComparison.Ordinal);
    string fifoBase = io[(io.IndexOf(':', StringComparison.Ordinal) + 1)..];
    TaskIO taskIO = fifo || tty
        ? new TaskIO { Stdin = fifoBase + ".in", Stdout = fifoBase + ".out", Terminal = tty }
        : new TaskIO { Stdout = "file://" + io, Stderr = "file://" + io };
    var request = new TaskCreateRequest(args[i], args[i + 1]) { IO = taskIO };
    int pid = await service.CreateAsync(request);
    FileStream? output = fifo || tty ? new FileStream(fifoBase + ".out", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, useAsync: false) : null;
    _ = await service.StartAsync(args[i]);
    if (output is not null)
    {
        attached.Add(output);
        using (FileStream input = new(fifoBase + ".in", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, useAsync: false))
        {
            await input.WriteAsync("one\n"u8.ToArray());
        }

        StringBuilder text = new();
        byte[] buffer = new byte[256];
        while (!text.ToString().Contains("got-one", StringComparison.Ordinal))
        {
            int n = await output.ReadAsync(buffer);
            _ = text.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    Console.WriteLine($"started {args[i]} {pid}");
}

await File.WriteAllTextAsync(args[2], "ready");
await Task.Delay(Timeout.Infinite);
GC.KeepAlive(attached);
