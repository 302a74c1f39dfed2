using Containers.Client;
using Containers.Tasks;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs tasks attach [--exec-id E] ID</c>, as <c>ctr tasks attach</c>: connects this process's stdio to a running task's
/// FIFOs (a task started with <c>run -d -t</c> or <c>run -d -i</c>, or with <c>--exec-id</c> a process started with
/// <c>tasks exec -d -t</c>, by this or an earlier ctrs process) and streams until the process exits (an exec is
/// then deleted) (exit code: the task's) or Ctrl-C detaches (exit 0, the task runs on). On a
/// terminal task, this terminal is put in raw mode — Ctrl-C then goes to the container, as with ctr — and
/// its size is forwarded.
/// </summary>
internal static class AttachCommand
{
    /// <summary>How long output copies get after the exit to reach end of file (a child of the task may hold its output open).</summary>
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(ContainerClient client, string id, string? execId, CancellationToken cancellationToken)
    {
        Container container = await client.LoadContainerAsync(id, cancellationToken);
        ContainerTask init = await container.LoadTaskAsync(cancellationToken);
        TaskProcess task = execId is null ? init : await init.LoadProcessAsync(execId, cancellationToken);
        TaskIO io = (await task.StatusAsync(cancellationToken)).IO;
        await using HostTerminal? terminal = io.Terminal ? HostTerminal.Open() : null;
        await using Stream stdout = terminal?.Stdout ?? Console.OpenStandardOutput();
        await using Stream? stderr = terminal is null && IsFifo(io.Stderr) ? Console.OpenStandardError() : null;
        Stream? stdin = io.Stdin is null ? null : terminal?.Stdin ?? Console.OpenStandardInput();
        TaskAttachment attachment = await task.AttachAsync(new ProcessIO { Stdin = stdin, Stdout = stdout, Stderr = stderr }, cancellationToken);
        try
        {
            if (terminal is not null)
            {
                await terminal.ForwardSizeAsync(task, cancellationToken);
            }

            ExitStatus status = await task.WaitAsync(cancellationToken);
            try
            {
                await attachment.WaitOutputEndedAsync(cancellationToken).WaitAsync(OutputGrace, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Something in the container still holds its output open: what it wrote so far was copied.
            }

            if (execId is not null)
            {
                // Nothing is left to do with an exited exec: its delete removes the FIFOs its ctrs made.
                await attachment.DisposeAsync();
                _ = await task.DeleteAsync(CancellationToken.None);
            }

            return RunCommand.ExitCode(execId is null ? id : id + " " + execId, status);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"ctrs: detached from {id}; it runs on");
            return 0;
        }
        finally
        {
            await attachment.DisposeAsync();
        }
    }

    private static bool IsFifo(string? path) => path is not null && !path.StartsWith("file://", StringComparison.Ordinal);
}
