using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using ICSharpCode.SharpZipLib.GZip;

namespace Containers.Benchmarks;

/// <summary>
/// BCL <see cref="GZipStream"/> (zlib-ng in .NET 9+) against SharpZipLib's managed
/// <see cref="GZipInputStream"/>, decompressing a generated ~64 MiB layer held in memory.
/// </summary>
/// <remarks>
/// Result on this project's 2-core VM (.NET 10.0.12, BenchmarkDotNet 0.15.8 in-process, default
/// job, 64 MiB generated layer; the machine was shared and loaded): BCL GZipStream median
/// 39.2 ms, SharpZipLib GZipInputStream median 234.6 ms, i.e. the BCL stream is about 6x faster
/// (mean ratio 6.76 ± 1.78) and allocates 7x less. LayerApplier therefore uses GZipStream.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class GzipDecompressionBenchmarks
{
    private byte[] _compressed = [];
    private long _uncompressedLength;

    [GlobalSetup]
    public void Setup()
    {
        var tar = new MemoryStream();
        LayerGenerator.Write(tar, 64L * 1024 * 1024);
        _uncompressedLength = tar.Length;
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            tar.Position = 0;
            tar.CopyTo(gzip);
        }

        _compressed = output.ToArray();
    }

    [Benchmark(Baseline = true)]
    public long BclGZipStream()
    {
        using var gzip = new GZipStream(new MemoryStream(_compressed), CompressionMode.Decompress);
        return Drain(gzip);
    }

    [Benchmark]
    public long SharpZipLibGZipInputStream()
    {
        using var gzip = new GZipInputStream(new MemoryStream(_compressed));
        return Drain(gzip);
    }

    private long Drain(Stream stream)
    {
        byte[] buffer = new byte[128 * 1024];
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            total += n;
        }

        return total == _uncompressedLength ? total : throw new InvalidDataException("short decompression");
    }
}
