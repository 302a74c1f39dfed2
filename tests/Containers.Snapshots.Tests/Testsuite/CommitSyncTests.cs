using System.Diagnostics;
using System.Text.RegularExpressions;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Testsuite;

/// <summary>
/// Which snapshot operations fsync the database, counted for real: the crash helper's <c>sync-probe</c> runs one
/// of each operation under <c>strace -f -y -e trace=fsync,fdatasync,write</c> and prints a marker after each; the
/// fsyncs of files under the snapshotter's root between two markers belong to the operation before the second.
/// Commit, a label update and removing a committed snapshot must sync (this fails if any ran at
/// <c>synchronous = NORMAL</c>); creating and removing active snapshots and views must not.
/// </summary>
[TestFixture("overlay")]
[TestFixture("native")]
[NonParallelizable]
public sealed partial class CommitSyncTests(string kind)
{
    [Test]
    public async Task OnlyCommittedSnapshotsAreSynced()
    {
        if (!(Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "strace"))))
        {
            Assert.Ignore("needs strace (Debian package strace)");
        }

        using var temp = new TempDirectory("snap-sync-");
        string root = temp.Combine("root");
        string trace = temp.Combine("trace");
        string helper = Path.Combine(AppContext.BaseDirectory, "Containers.Snapshots.CrashHelper.dll");
        using var process = Process.Start(new ProcessStartInfo("strace", ["-f", "-qq", "-y", "-s", "64", "-o", trace, "-e", "trace=fsync,fdatasync,write", "dotnet", helper, "sync-probe", kind, root])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await stderr);
        Assert.That(await stdout, Does.Contain("@@sync-probe remove-committed"));

        Dictionary<string, int> fsyncs = Count(File.ReadLines(trace), root);
        Assert.That(fsyncs.Keys, Is.SupersetOf(new[] { "prepare", "mounts", "remove-active", "view", "remove-view", "prepare-layer", "commit", "update", "remove-committed" }), "every marker seen in the trace");
        string all = string.Join(", ", fsyncs.Select(p => $"{p.Key}={p.Value}"));
        foreach (string unsynced in new[] { "prepare", "mounts", "remove-active", "view", "remove-view", "prepare-layer" })
        {
            Assert.That(fsyncs[unsynced], Is.Zero, $"{unsynced} must not fsync ({all})");
        }

        foreach (string synced in new[] { "commit", "update", "remove-committed" })
        {
            Assert.That(fsyncs[synced], Is.GreaterThanOrEqualTo(1), $"{synced} must fsync ({all})");
        }
    }

    /// <summary>Fsyncs of files under <paramref name="root"/> per operation, keyed by the marker that follows them.</summary>
    private static Dictionary<string, int> Count(IEnumerable<string> lines, string root)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        int pending = 0;
        foreach (string line in lines)
        {
            if (Marker().Match(line) is { Success: true } marker)
            {
                counts[marker.Groups[1].Value] = pending;
                pending = 0;
            }
            else if (Sync().Match(line) is { Success: true } sync && sync.Groups[1].Value.StartsWith(root + "/", StringComparison.Ordinal))
            {
                pending++;
            }
        }

        return counts;
    }

    // Console writes through a duplicate of fd 1, so the marker counts on any fd.
    [GeneratedRegex(@"write\(\d+<[^>]*>, ""@@sync-probe ([a-z-]+)\\n""")]
    private static partial Regex Marker();

    // The call line (also when strace splits it as "<unfinished ...>"), never the "resumed" line.
    [GeneratedRegex(@"\b(?:fsync|fdatasync)\(\d+<([^>]*)>")]
    private static partial Regex Sync();
}
