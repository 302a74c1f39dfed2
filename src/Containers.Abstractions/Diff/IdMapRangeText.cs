using System.Globalization;

namespace Containers.Diff;

/// <summary>
/// The text form of id mappings that containerd's snapshot labels (<c>containerd.io/snapshot/uidmapping</c>),
/// its <c>uidmap=</c>/<c>gidmap=</c> mount options and runc's <c>--uidmap</c> use: <c>containerID:hostID:size</c>,
/// several ranges comma-separated.
/// </summary>
public static class IdMapRangeText
{
    /// <summary>Parses the text; <paramref name="field"/> names it in the error.</summary>
    /// <exception cref="InvalidSpecException">A range is not three unsigned numbers, is empty, or overflows 32 bits.</exception>
    public static IdMapRange[] Parse(string text, string field)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<IdMapRange> ranges = [];
        foreach (string range in text.Split(','))
        {
            string[] parts = range.Split(':');
            if (parts.Length != 3
                || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint container)
                || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint host)
                || !uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint size))
            {
                throw new InvalidSpecException(field, $"\"{range}\" is not containerID:hostID:size");
            }

            if (size == 0 || (ulong)container + size > 1UL << 32 || (ulong)host + size > 1UL << 32)
            {
                throw new InvalidSpecException(field, $"\"{range}\" is empty or overflows 32 bits");
            }

            ranges.Add(new IdMapRange(container, host, size));
        }

        return [.. ranges];
    }

    /// <summary>The text form of <paramref name="ranges"/>.</summary>
    public static string Format(IEnumerable<IdMapRange> ranges)
        => string.Join(',', ranges.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.ContainerId}:{r.HostId}:{r.Size}")));
}
