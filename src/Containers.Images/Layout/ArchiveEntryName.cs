namespace Containers.Images.Layout;

/// <summary>
/// Normalises tar entry names of image archives and refuses unsafe ones. The importers never write
/// entries to the filesystem, but a name that is absolute or climbs with <c>..</c> is a sign of a
/// hostile archive, so it is refused rather than silently mapped.
/// </summary>
internal static class ArchiveEntryName
{
    /// <summary>The longest entry name accepted.</summary>
    public const int MaxLength = 4096;

    /// <summary>
    /// Returns the name without leading <c>./</c> and trailing <c>/</c>; empty for the archive root.
    /// </summary>
    /// <exception cref="InvalidArchiveException">The name is absolute, has <c>..</c>, <c>.</c> or empty segments, or a NUL.</exception>
    public static string Normalize(string name)
    {
        if (name.Length > MaxLength)
        {
            throw new InvalidArchiveException(InvalidArchiveReason.UnsafePath, name[..64] + "…", $"entry name longer than {MaxLength} characters");
        }

        if (name.StartsWith('/') || name.Contains('\0') || name.Contains('\\'))
        {
            throw new InvalidArchiveException(InvalidArchiveReason.UnsafePath, name, "entry name is absolute or has a NUL or backslash");
        }

        string trimmed = name;
        while (trimmed.StartsWith("./", StringComparison.Ordinal))
        {
            trimmed = trimmed[2..];
        }

        trimmed = trimmed.TrimEnd('/');
        if (trimmed is "" or ".")
        {
            return string.Empty;
        }

        foreach (string segment in trimmed.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw new InvalidArchiveException(InvalidArchiveReason.UnsafePath, name, $"entry name has a \"{segment}\" segment");
            }
        }

        return trimmed;
    }

    /// <summary>
    /// Resolves a relative symlink target against the directory of <paramref name="linkName"/>,
    /// lexically and inside the archive; null when it leaves the archive root.
    /// </summary>
    public static string? ResolveLink(string linkName, string target)
    {
        if (target.StartsWith('/') || target.Contains('\0'))
        {
            return null;
        }

        List<string> parts = [.. linkName.Split('/')[..^1]];
        foreach (string segment in target.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
            }
            else
            {
                parts.Add(segment);
            }
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    /// <summary>Parses <c>blobs/&lt;algorithm&gt;/&lt;encoded&gt;</c>; null for any other name.</summary>
    /// <exception cref="InvalidArchiveException">The name is under <c>blobs/</c> but is not a valid digest.</exception>
    public static Digest? ParseBlobPath(string normalized)
    {
        if (!normalized.StartsWith("blobs/", StringComparison.Ordinal))
        {
            return null;
        }

        string[] parts = normalized.Split('/');
        if (parts.Length != 3)
        {
            throw new InvalidArchiveException(InvalidArchiveReason.Malformed, normalized, "a file under blobs/ must be blobs/<algorithm>/<encoded digest>");
        }

        return Digest.TryParse(parts[1] + ":" + parts[2], out Digest digest, out string? error)
            ? digest
            : throw new InvalidArchiveException(InvalidArchiveReason.Malformed, normalized, "not a valid blob name: " + error);
    }
}
