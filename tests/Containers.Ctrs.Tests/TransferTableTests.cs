using Containers.Distribution;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Samples.Ctrs;

namespace Containers.Ctrs.Tests;

/// <summary>The live progress renderer at fixed times and terminal widths (no timing), and the plain-line display.</summary>
public sealed class TransferTableTests
{
    private static readonly Descriptor Layer = Blob('a', 4 * 1024 * 1024);
    private static readonly Descriptor Config = Blob('c', 1500);
    private static readonly ImageReference Reference = ImageReference.Parse("127.0.0.1:5000/test/image:v1");

    [Test]
    public void Rows_show_short_digest_status_bytes_and_rate()
    {
        TransferTable table = new("uploading");
        table.Update("pushingblobs", new TransferProgress(Layer, TransferState.Transferring, 0), 0, 2, 0, Layer.Size + Config.Size, TimeSpan.FromSeconds(1));
        table.Update("pushingblobs", new TransferProgress(Config, TransferState.AlreadyExists, Config.Size), 1, 2, Config.Size, Layer.Size + Config.Size, TimeSpan.FromSeconds(1));
        table.Update("pushingblobs", new TransferProgress(Layer, TransferState.Transferring, 2 * 1024 * 1024), 1, 2, Config.Size + 2 * 1024 * 1024, Layer.Size + Config.Size, TimeSpan.FromSeconds(2));

        IReadOnlyList<string> lines = table.Render(100, TimeSpan.FromSeconds(3));

        Assert.That(lines, Has.Count.EqualTo(3));
        Assert.That(lines[0], Does.StartWith("aaaaaaaaaaaa  uploading"));
        Assert.That(lines[0], Does.Contain("2.0 MiB / 4.0 MiB"));
        Assert.That(lines[0], Does.Contain("1.0 MiB/s"), "2 MiB over the 2 s since the row appeared");
        Assert.That(lines[1], Does.StartWith("cccccccccccc  exists"));
        Assert.That(lines[1], Does.Contain("1.5 KiB / 1.5 KiB"));
        Assert.That(lines[1].TrimEnd(), Does.EndWith("-"), "a skipped blob has no rate");
        Assert.That(lines[2], Does.StartWith("total         pushingblobs"));
        Assert.That(lines[2], Does.Contain("1/2 blobs"));
        Assert.That(lines[2], Does.Contain("3.0s"));
        Assert.That(lines[2], Does.Contain("682.7 KiB/s"), "2 MiB sent in 3 s: the skipped config counts as done, not as sent");
    }

    [Test]
    public void A_finished_row_keeps_its_rate_and_never_moves_back()
    {
        TransferTable table = new("downloading");
        table.Update("fetchinglayers", new TransferProgress(Layer, TransferState.Transferring, 1024), 0, 1, 1024, Layer.Size, TimeSpan.Zero);
        table.Update("fetchinglayers", new TransferProgress(Layer, TransferState.Done, Layer.Size), 1, 1, Layer.Size, Layer.Size, TimeSpan.FromSeconds(2));
        // A byte report overtaken by the Done report of the same blob.
        table.Update("fetchinglayers", new TransferProgress(Layer, TransferState.Transferring, 3 * 1024 * 1024), 0, 1, 3 * 1024 * 1024, Layer.Size, TimeSpan.FromSeconds(2));

        IReadOnlyList<string> lines = table.Render(100, TimeSpan.FromSeconds(10));

        Assert.That(lines[0], Does.Contain("done"));
        Assert.That(lines[0], Does.Contain("4.0 MiB / 4.0 MiB"));
        Assert.That(lines[0], Does.Contain("2.0 MiB/s"), "rate over the 2 s the transfer took, not the 10 s since");
        Assert.That(lines[1], Does.Contain("1/1 blobs"));
    }

    [TestCase(20)]
    [TestCase(40)]
    [TestCase(61)]
    public void Lines_never_wrap_on_a_narrow_terminal(int width)
    {
        TransferTable table = new("uploading");
        table.Update("pushingblobs", new TransferProgress(Layer, TransferState.Transferring, 1024 * 1024), 0, 1, 1024 * 1024, Layer.Size, TimeSpan.FromSeconds(1));

        IReadOnlyList<string> lines = table.Render(width, TimeSpan.FromSeconds(2));

        Assert.That(lines.Select(l => l.Length), Is.All.LessThan(width));
        Assert.That(lines[0], Does.StartWith("aaaaaaaaaaaa"));
    }

    [Test]
    public void A_frame_moves_up_over_the_previous_one_and_clears_each_line()
    {
        string first = LiveProgress.Frame(0, ["one", "two"]);
        string next = LiveProgress.Frame(2, ["one", "two", "three"]);
        string shorter = LiveProgress.Frame(3, ["one"]);

        Assert.That(first, Is.EqualTo("\r\u001b[2Kone\n\r\u001b[2Ktwo\n"));
        Assert.That(next, Does.StartWith("\u001b[2A"));
        Assert.That(next.Split("\u001b[2K").Length - 1, Is.EqualTo(3));
        Assert.That(shorter, Does.StartWith("\u001b[3A"));
        Assert.That(shorter, Does.EndWith("one\n\u001b[J"), "lines left from a longer frame are cleared");
    }

    [Test]
    public async Task Live_progress_draws_its_final_frame_on_dispose()
    {
        using StringWriter output = new();
        LiveProgress live = new(output, () => 80, "uploading");
        live.Report(new PushProgress(Reference, PushPhase.PushingBlobs) { Transfer = new TransferProgress(Config, TransferState.Done, Config.Size), CompletedBlobs = 1, TotalBlobs = 1, TransferredBytes = Config.Size, TotalBytes = Config.Size });
        live.Report(new PushProgress(Reference, PushPhase.Done) { CompletedBlobs = 1, TotalBlobs = 1, TransferredBytes = Config.Size, TotalBytes = Config.Size });
        await live.DisposeAsync();

        string text = output.ToString();
        string last = text[text.LastIndexOf("\r\u001b[2Kcccc", StringComparison.Ordinal)..];
        Assert.That(last, Does.Contain("done"));
        Assert.That(last, Does.Contain("total         done"));
        Assert.That(last, Does.Contain("1/1 blobs"));
    }

    [Test]
    public void Plain_progress_writes_one_line_per_finished_blob()
    {
        using StringWriter output = new();
        PlainProgress plain = new(output);
        IProgress<PushProgress> push = plain;
        IProgress<PullProgress> pull = plain;

        push.Report(new PushProgress(Reference, PushPhase.PushingBlobs) { Transfer = new TransferProgress(Layer, TransferState.Transferring, 100), TotalBlobs = 2 });
        push.Report(new PushProgress(Reference, PushPhase.PushingBlobs) { Transfer = new TransferProgress(Layer, TransferState.Done, Layer.Size), CompletedBlobs = 1, TotalBlobs = 2 });
        push.Report(new PushProgress(Reference, PushPhase.PushingBlobs) { Transfer = new TransferProgress(Config, TransferState.Mounted, Config.Size), CompletedBlobs = 2, TotalBlobs = 2 });
        pull.Report(new PullProgress(Reference, PullPhase.FetchingLayers) { Transfer = new TransferProgress(Layer, TransferState.Transferring, 100), TotalBlobs = 1 });
        pull.Report(new PullProgress(Reference, PullPhase.FetchingLayers) { Transfer = new TransferProgress(Layer, TransferState.Done, Layer.Size), CompletedBlobs = 1, TotalBlobs = 1 });

        Assert.That(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            $"{Layer.Digest}: uploaded {Layer.Size} bytes (1/2 blobs)",
            $"{Config.Digest}: mounted {Config.Size} bytes (2/2 blobs)",
            $"{Layer.Digest}: done {Layer.Size} bytes (1/1 blobs)",
        }));
        Assert.That(output.ToString(), Does.Not.Contain("\u001b"));
    }

    private static Descriptor Blob(char fill, long size) =>
        new() { MediaType = MediaTypes.ImageLayerGzip, Digest = Digest.Parse("sha256:" + new string(fill, 64)), Size = size };
}
