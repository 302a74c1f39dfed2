using System.Formats.Tar;
using System.Runtime.CompilerServices;

namespace Containers.Images.Layout;

/// <summary>
/// The regular-file entries of an image archive with safe, normalised names. Directories are
/// skipped; symbolic links are reported to a callback when the format allows them
/// (docker-archive) and refused otherwise; hard links, devices and FIFOs are always refused.
/// </summary>
internal static class ArchiveEntries
{
    public static async IAsyncEnumerable<(string Name, TarEntry Entry)> ReadAsync(Stream archive, int maxEntries,
        [EnumeratorCancellation] CancellationToken cancellationToken, Action<string, string>? onLink = null)
    {
        TarReader reader = new(archive, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            int count = 0;
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
                {
                    throw new InvalidArchiveException(InvalidArchiveReason.Malformed, string.Empty, "not a valid tar archive: " + e.Message, e);
                }

                if (entry is null)
                {
                    yield break;
                }

                if (++count > maxEntries)
                {
                    throw new SizeLimitExceededException("number of archive entries", maxEntries);
                }

                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    // A pax global header (git archive writes one) carries defaults, not a file.
                    continue;
                }

                string name = ArchiveEntryName.Normalize(entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        continue;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile when name.Length > 0:
                        yield return (name, entry);
                        break;
                    case TarEntryType.SymbolicLink when onLink is not null && name.Length > 0:
                        onLink(name, entry.LinkName);
                        break;
                    default:
                        throw new InvalidArchiveException(InvalidArchiveReason.LinkOrSpecialFile, entry.Name,
                            $"entries of type {entry.EntryType} are not allowed in an image archive");
                }
            }
        }
    }
}
