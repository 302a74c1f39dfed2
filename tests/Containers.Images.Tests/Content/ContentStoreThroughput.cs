using System.Diagnostics;
using System.Security.Cryptography;
using Containers.Content;

namespace Containers.Images.Tests.Content;

/// <summary>
/// Side-by-side measurement, run by hand (<c>--filter Category=Throughput</c>): writing and committing
/// a 1 GiB blob against <c>sha256sum</c> of the same file. It prints the numbers and asserts only
/// correctness (speed is never a test verdict).
/// </summary>
[TestFixture]
[Explicit("measures throughput; run by hand")]
[Category("Throughput")]
public sealed class ContentStoreThroughput
{
    [Test]
    public async Task WriteAndCommitOneGibibyte()
    {
        const long size = 1L << 30;
        const int chunk = 1 << 20;
        string root = Directory.CreateTempSubdirectory("content-throughput-").FullName;
        try
        {
            var store = new LocalContentStore(root);
            byte[] buffer = new byte[chunk];
            new Random(1).NextBytes(buffer);

            // The expected digest, computed apart so that the timed run verifies for real.
            using (IncrementalHash reference = Digest.CreateHasher())
            {
                for (long done = 0; done < size; done += chunk)
                {
                    reference.AppendData(buffer);
                }

                Digest expected = Digest.FromHash(DigestAlgorithm.Sha256, reference.GetHashAndReset());
                // CPU time too: on a shared, loaded machine wall-clock rates mostly measure the neighbours.
                TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var total = Stopwatch.StartNew();
                await using IContentWriter writer = await store.OpenWriterAsync(new ContentWriterOptions { Ref = "1g" });
                for (long done = 0; done < size; done += chunk)
                {
                    await writer.WriteAsync(buffer);
                }

                TimeSpan written = total.Elapsed;
                long allocatedPerWrite = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (size / chunk);
                await writer.CommitAsync(size, expected);
                total.Stop();
                TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

                var sha = Stopwatch.StartNew();
                using Process process = Process.Start(new ProcessStartInfo("bash", ["-c", "TIMEFORMAT='%U %S'; time sha256sum \"$0\"", store.GetBlobPath(expected)])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                string output = await process.StandardOutput.ReadToEndAsync();
                string[] times = (await process.StandardError.ReadToEndAsync()).Trim().Split(' ');
                await process.WaitForExitAsync();
                sha.Stop();
                double shaCpu = double.Parse(times[0], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(times[1], System.Globalization.CultureInfo.InvariantCulture);

                Assert.That(output, Does.StartWith(expected.Encoded));
                double mib = size / (1024.0 * 1024.0);
                await TestContext.Out.WriteLineAsync($"{allocatedPerWrite} B allocated per 1 MiB write; write+hash {mib / written.TotalSeconds:F0} MiB/s; write+hash+fsync+commit {mib / total.Elapsed.TotalSeconds:F0} MiB/s; " +
                    $"sha256sum (page cache) {mib / sha.Elapsed.TotalSeconds:F0} MiB/s; wall ratio {sha.Elapsed.TotalSeconds / total.Elapsed.TotalSeconds:F2}; " +
                    $"CPU: store {cpu.TotalSeconds:F2} s ({mib / cpu.TotalSeconds:F0} MiB/CPU-s), sha256sum {shaCpu:F2} s ({mib / shaCpu:F0} MiB/CPU-s), ratio {shaCpu / cpu.TotalSeconds:F2}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
