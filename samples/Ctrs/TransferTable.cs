using System.Globalization;
using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary>
/// The state behind the live progress display: one row per blob (short digest, status, bytes moved
/// of its size, rate) and a total line. Time is passed in, so rendering is a pure function of the
/// reports and the clock (the tests render at fixed times and widths).
/// </summary>
internal sealed class TransferTable(string verb)
{
    private readonly List<Row> _rows = [];
    private readonly Dictionary<string, Row> _byDigest = new(StringComparer.Ordinal);
    private string _phase = "starting";
    private int _completedBlobs;
    private int _totalBlobs;
    private long _transferredBytes;
    private long _totalBytes;

    /// <summary>Records a report: the phase, the totals, and the blob it is about (if any).</summary>
    public void Update(string phase, TransferProgress? transfer, int completedBlobs, int totalBlobs, long transferredBytes, long totalBytes, TimeSpan now)
    {
        _phase = phase;
        _completedBlobs = Math.Max(_completedBlobs, completedBlobs);
        _totalBlobs = Math.Max(_totalBlobs, totalBlobs);
        _transferredBytes = Math.Max(_transferredBytes, transferredBytes);
        _totalBytes = Math.Max(_totalBytes, totalBytes);
        if (transfer is null)
        {
            return;
        }

        string digest = transfer.Descriptor.Digest.ToString();
        if (!_byDigest.TryGetValue(digest, out Row? row))
        {
            row = new Row(transfer.Descriptor.Digest.Encoded, transfer.Total, now);
            _byDigest.Add(digest, row);
            _rows.Add(row);
        }

        // Reports of parallel transfers can arrive out of order: never move a row backwards.
        if (row.State is TransferState.Done or TransferState.AlreadyExists or TransferState.Mounted)
        {
            return;
        }

        row.State = transfer.State;
        row.Transferred = Math.Max(row.Transferred, transfer.Transferred);
        if (transfer.State is TransferState.Done or TransferState.AlreadyExists or TransferState.Mounted or TransferState.Failed)
        {
            row.FinishedAt = now;
        }
    }

    /// <summary>The lines to show at time <paramref name="now"/>, each cut to fit <paramref name="width"/> columns without wrapping.</summary>
    public IReadOnlyList<string> Render(int width, TimeSpan now)
    {
        width = Math.Max(width, 20);
        List<string> lines = new(_rows.Count + 1);
        foreach (Row row in _rows)
        {
            string rate = row.State is TransferState.AlreadyExists or TransferState.Mounted ? "-" : Rate(row.Transferred, (row.FinishedAt ?? now) - row.StartedAt);
            string bytes = $"{Size(row.Transferred)} / {Size(row.Total)}";
            lines.Add(Fit($"{row.ShortDigest,-12}  {Status(row.State),-11}  {bytes,-21}  {rate,11}", width));
        }

        // The total rate counts bytes that moved: blobs skipped or mounted are done but sent nothing.
        long moved = _rows.Where(r => r.State is not (TransferState.AlreadyExists or TransferState.Mounted)).Sum(r => r.Transferred);
        string total = $"{Size(_transferredBytes)} / {Size(_totalBytes)}";
        string blobs = $"{_completedBlobs}/{_totalBlobs} blobs";
        lines.Add(Fit($"{"total",-12}  {_phase,-16}  {total,-21}  {Rate(moved, now),11}  {blobs}  {now.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)}s", width));
        return lines;
    }

    /// <summary>Human size in binary units with one decimal (<c>1.5 MiB</c>).</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string Rate(long bytes, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero || bytes == 0 ? "-" : Size((long)(bytes / elapsed.TotalSeconds)) + "/s";

    private string Status(TransferState state) => state switch
    {
        TransferState.Waiting => "waiting",
        TransferState.Transferring => verb,
        TransferState.Verifying => "verifying",
        TransferState.Done => "done",
        TransferState.AlreadyExists => "exists",
        TransferState.Mounted => "mounted",
        TransferState.Failed => "failed",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string Fit(string line, int width) => line.Length < width ? line : line[..(width - 1)];

    private sealed class Row(string encodedDigest, long total, TimeSpan startedAt)
    {
        public string ShortDigest { get; } = encodedDigest[..Math.Min(12, encodedDigest.Length)];

        public long Total { get; } = total;

        public TimeSpan StartedAt { get; } = startedAt;

        public TransferState State { get; set; } = TransferState.Waiting;

        public long Transferred { get; set; }

        public TimeSpan? FinishedAt { get; set; }
    }
}
