using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Containers.Content;

/// <summary>
/// The on-disk shape of one ingest, <c>ingest/&lt;sha256 of ref&gt;/</c>: <c>ref</c>, <c>data</c>,
/// <c>startedat</c>, <c>updatedat</c>, <c>total</c>, <c>expected</c> and the writers' <c>lock</c>.
/// The directory name is a hash so that no ref, whatever it contains, names a path of its own.
/// </summary>
internal sealed class IngestDirectory
{
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public IngestDirectory(string ingestRoot, string reference)
    {
        Reference = reference;
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(reference));
        DirectoryPath = System.IO.Path.Combine(ingestRoot, Convert.ToHexStringLower(hash));
    }

    public string Reference { get; }

    public string DirectoryPath { get; }

    public string DataPath => File("data");

    /// <summary>Whether a directory name under <c>ingest/</c> can be an ingest (and not, say, a temp name).</summary>
    public static bool IsIngestName(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    /// <summary>Records a fresh ingest's metadata; data is created afterwards so a half-made ingest has none.</summary>
    public void WriteMetadata(DateTimeOffset startedAt, long total, Digest expected)
    {
        WriteAtomically("ref", Reference);
        WriteAtomically("startedat", FormatTime(startedAt));
        WriteAtomically("updatedat", FormatTime(startedAt));
        WriteAtomically("total", total.ToString(CultureInfo.InvariantCulture));
        WriteAtomically("expected", expected.ToString());
    }

    public void WriteUpdatedAt(DateTimeOffset updatedAt) => WriteAtomically("updatedat", FormatTime(updatedAt));

    /// <summary>Reads the ingest's status, or null when it is missing or incomplete.</summary>
    public ContentStatus? TryReadStatus()
    {
        try
        {
            var data = new FileInfo(DataPath);
            if (!data.Exists)
            {
                return null;
            }

            string reference = System.IO.File.ReadAllText(File("ref"));
            DateTimeOffset startedAt = ParseTime(System.IO.File.ReadAllText(File("startedat")));
            DateTimeOffset modified = new(data.LastWriteTimeUtc, TimeSpan.Zero);
            DateTimeOffset updatedAt = TryParseTime(ReadOptional("updatedat")) ?? modified;

            // updatedat is written when a writer closes; the data's mtime is newer while one is open.
            return new ContentStatus
            {
                Ref = reference,
                Offset = data.Length,
                Total = long.TryParse(ReadOptional("total"), NumberStyles.None, CultureInfo.InvariantCulture, out long total) ? total : 0,
                Expected = Digest.TryParse(ReadOptional("expected"), out Digest expected) ? expected : default,
                StartedAt = startedAt,
                UpdatedAt = modified > updatedAt ? modified : updatedAt,
            };
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Creates (truncating) or opens the data file, private to the owner.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle OpenData(bool truncate)
    {
        var handle = System.IO.File.OpenHandle(DataPath, truncate ? FileMode.Create : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        System.IO.File.SetUnixFileMode(handle, PrivateFile);
        return handle;
    }

    /// <summary>Removes the ingest; a crash half-way leaves a directory without data, which reads as no ingest.</summary>
    public void Remove()
    {
        try
        {
            System.IO.File.Delete(DataPath);
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: removal is idempotent.
        }
    }

    private string File(string name) => System.IO.Path.Combine(DirectoryPath, name);

    private string? ReadOptional(string name)
    {
        try
        {
            return System.IO.File.ReadAllText(File(name));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private void WriteAtomically(string name, string text)
    {
        string path = File(name);
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = PrivateFile,
        }))
        {
            // Not fsync'd: these files only serve resuming, and a crash that loses one makes the
            // ingest read as damaged and start over, never as wrong (the data is hashed again).
            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        System.IO.File.Move(temporary, path, overwrite: true);
    }

    private static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? TryParseTime(string? text) =>
        DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time)
            ? time
            : null;

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
