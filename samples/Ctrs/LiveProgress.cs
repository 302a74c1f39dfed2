using System.Diagnostics;
using System.Text;
using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary>
/// Pull and push progress for a terminal: a table of blobs and a total line, redrawn in place about
/// ten times a second (cursor up over the previous frame, each line cleared and rewritten). Reports
/// only update the table; drawing happens on its own loop, so a fast transfer is not slowed by the
/// terminal.
/// </summary>
internal sealed class LiveProgress : ITransferDisplay
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly TextWriter _output;
    private readonly Func<int> _width;
    private readonly TransferTable _table;
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _drawnLines;

    /// <param name="output">The terminal.</param>
    /// <param name="width">The terminal's current width in columns (asked at every frame: it can be resized).</param>
    /// <param name="verb">The status of a blob whose bytes are moving: <c>downloading</c> or <c>uploading</c>.</param>
    public LiveProgress(TextWriter output, Func<int> width, string verb)
    {
        _output = output;
        _width = width;
        _table = new TransferTable(verb);
        _loop = DrawLoopAsync(_stop.Token);
    }

    /// <inheritdoc />
    public void Report(PullProgress value)
    {
        lock (_gate)
        {
            _table.Update(value.Phase.ToString().ToLowerInvariant(), value.Transfer, value.CompletedBlobs, value.TotalBlobs, value.TransferredBytes, value.TotalBytes, _clock.Elapsed);
        }
    }

    /// <inheritdoc />
    public void Report(PushProgress value)
    {
        lock (_gate)
        {
            _table.Update(value.Phase.ToString().ToLowerInvariant(), value.Transfer, value.CompletedBlobs, value.TotalBlobs, value.TransferredBytes, value.TotalBytes, _clock.Elapsed);
        }
    }

    /// <summary>Stops the loop and draws the final frame, which stays on the terminal.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        Draw();
        _stop.Dispose();
    }

    /// <summary>
    /// The bytes that replace a frame of <paramref name="previousLines"/> lines with <paramref name="lines"/>:
    /// cursor up to the first line of the old frame, then each line cleared and written.
    /// </summary>
    public static string Frame(int previousLines, IReadOnlyList<string> lines)
    {
        StringBuilder frame = new();
        if (previousLines > 0)
        {
            frame.Append("\u001b[").Append(previousLines).Append('A');
        }

        foreach (string line in lines)
        {
            frame.Append("\r\u001b[2K").Append(line).Append('\n');
        }

        // A frame shorter than the last one: clear what is left below it.
        if (lines.Count < previousLines)
        {
            frame.Append("\u001b[J");
        }

        return frame.ToString();
    }

    private async Task DrawLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
                Draw();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Draw()
    {
        string frame;
        lock (_gate)
        {
            IReadOnlyList<string> lines = _table.Render(_width(), _clock.Elapsed);
            frame = Frame(_drawnLines, lines);
            _drawnLines = lines.Count;
        }

        _output.Write(frame);
        _output.Flush();
    }
}
