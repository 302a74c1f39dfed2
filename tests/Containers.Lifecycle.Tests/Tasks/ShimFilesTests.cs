using Containers.Linux.Supervision;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// The shim's records are written straight to their names since session 15 (no temp file and rename): what a
/// reader may then meet — the whole record, no file, or an empty one (a shim killed between its open and its
/// write) — must read as the record or as missing, never as a broken one.
/// </summary>
public sealed class ShimFilesTests
{
    [Test]
    public void ARecordReadsBackAndAMissingOrEmptyOneReadsAsMissing()
    {
        using TempDirectory directory = new("shimfiles-");
        string exit = directory.Combine("exit.json");
        DateTimeOffset at = new(2026, 11, 29, 18, 0, 0, 123, TimeSpan.Zero);

        string emptyFile = directory.Combine("exit-e1.json");
        ShimExitRecord? missing = ShimFiles.TryRead(exit, ShimJsonContext.Default.ShimExitRecord);
        File.WriteAllBytes(emptyFile, []);
        ShimExitRecord? empty = ShimFiles.TryRead(emptyFile, ShimJsonContext.Default.ShimExitRecord);
        ShimFiles.Write(exit, new ShimExitRecord { Pid = 42, ExitCode = 3, ExitedAt = at }, ShimJsonContext.Default.ShimExitRecord);
        ShimExitRecord? written = ShimFiles.TryRead(exit, ShimJsonContext.Default.ShimExitRecord);

        Assert.Multiple(() =>
        {
            Assert.That(missing, Is.Null);
            Assert.That(empty, Is.Null, "an empty file is a record not written yet");
            Assert.That(written?.Pid, Is.EqualTo(42));
            Assert.That(written?.ExitCode, Is.EqualTo(3));
            Assert.That(written?.ExitedAt, Is.EqualTo(at), "the reap time names the exit's event marker: it must come back to the tick");
            Assert.That(File.GetUnixFileMode(exit), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            Assert.That(Directory.GetFileSystemEntries(directory.Path).Order(), Is.EqualTo(new[] { exit, emptyFile }.Order()), "no temp file beside them");
        });
    }
}
