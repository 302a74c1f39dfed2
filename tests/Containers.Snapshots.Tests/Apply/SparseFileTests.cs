using System.Diagnostics;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// System.Formats.Tar in .NET 10 does not expand GNU sparse files (old GNU type 'S', or PAX
/// GNU.sparse.*): it would hand back the packed data, or a GNUSparseFile.0/ placeholder name. The
/// applier refuses them rather than write a corrupt file.
/// </summary>
[TestFixture]
internal sealed class SparseFileTests : ApplyFixture
{
    [TestCase("gnu", null)]
    [TestCase("posix", "0.1")]
    [TestCase("posix", "1.0")]
    public async Task SparseEntriesAreRefused(string format, string? sparseVersion)
    {
        string source = Path.Combine(Work, "source");
        Directory.CreateDirectory(source);
        await using (FileStream sparse = File.Create(Path.Combine(source, "holes")))
        {
            sparse.SetLength(8 * 1024 * 1024);
            sparse.Position = 4 * 1024 * 1024;
            sparse.Write("data in the middle"u8);
        }

        string tarFile = Path.Combine(Work, "sparse.tar");
        var start = new ProcessStartInfo("tar") { RedirectStandardError = true };
        foreach (string a in (string[])["--sparse", $"--format={format}", "-cf", tarFile, "-C", source, "holes"])
        {
            start.ArgumentList.Add(a);
        }

        if (sparseVersion is not null)
        {
            start.ArgumentList.Insert(1, $"--sparse-version={sparseVersion}");
        }

        using (Process tar = Process.Start(start)!)
        {
            await tar.WaitForExitAsync();
            Assert.That(tar.ExitCode, Is.Zero, await tar.StandardError.ReadToEndAsync());
        }

        Assert.That(() => ApplyAsync(File.ReadAllBytes(tarFile)), Throws.TypeOf<UnsupportedException>());
    }
}
