using System.Globalization;

namespace Containers.Oci;

/// <summary>
/// Parses <c>/etc/passwd</c> and <c>/etc/group</c> as runc's user package does (colon-separated
/// fields, blank and <c>#</c> lines skipped, malformed lines ignored), with ids parsed as uint32 capped
/// at int32 max so a hostile file cannot produce a wrapped id.
/// </summary>
internal static class UserDatabase
{
    internal sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

    internal sealed record GroupEntry(string Name, uint Gid, IReadOnlyList<string> Members);

    public static IEnumerable<PasswdEntry> ParsePasswd(string? text)
    {
        foreach (string[] fields in Lines(text))
        {
            // name:password:uid:gid:gecos:home:shell
            if (fields.Length >= 4 && TryParseId(fields[2], out uint uid) && TryParseId(fields[3], out uint gid))
            {
                yield return new PasswdEntry(fields[0], uid, gid, fields.Length > 5 ? fields[5] : string.Empty);
            }
        }
    }

    public static IEnumerable<GroupEntry> ParseGroup(string? text)
    {
        foreach (string[] fields in Lines(text))
        {
            // name:password:gid:member,member
            if (fields.Length >= 3 && TryParseId(fields[2], out uint gid))
            {
                string[] members = fields.Length > 3 ? fields[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                yield return new GroupEntry(fields[0], gid, members);
            }
        }
    }

    /// <summary>Parses a decimal id: digits only, at most int32 max (runc's rule), else false.</summary>
    public static bool TryParseId(string text, out uint id)
    {
        id = 0;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) || id > int.MaxValue)
        {
            id = 0;
            return false;
        }

        return true;
    }

    private static IEnumerable<string[]> Lines(string? text)
    {
        if (text is null)
        {
            yield break;
        }

        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            yield return line.Split(':');
        }
    }
}
