using System.Buffers;
using System.Globalization;
using System.Text;

namespace Containers.Snapshots.Diff;

/// <summary>
/// Writes one tar entry — a PAX extended header (<c>x</c>) with raw-byte record values, then a ustar header
/// and the file data — straight to the layer stream, between entries that <see cref="System.Formats.Tar.TarWriter"/>
/// writes. Used for entries with xattr values that are not UTF-8 (for example <c>security.capability</c>):
/// System.Formats.Tar encodes every PAX value as UTF-8 and so cannot store them, while PAX records are
/// length-prefixed bytes and GNU tar, umoci and our applier read raw <c>SCHILY.xattr.*</c> values.
/// </summary>
/// <remarks>
/// The PAX records carry the authoritative path, link path, mtime (nanoseconds), uid and gid; the ustar
/// header's own fields hold what fits (a long name is shortened there, as GNU tar does), so readers that
/// ignore PAX still see a sensible entry.
/// </remarks>
internal static class RawPaxEntryWriter
{
    private const int BlockSize = 512;
    private const long MaxUstarSize = 077777777777L;
    private const long MaxUstarId = 07777777L;

    /// <summary>The fields of one entry.</summary>
    public readonly record struct Entry(string Name, char TypeFlag, uint Mode, uint Uid, uint Gid, long MtimeSeconds, uint MtimeNanoseconds, string? LinkName, uint DevMajor, uint DevMinor, long Size);

    /// <summary>Writes <paramref name="entry"/> with its xattrs and, for a regular file, the <paramref name="data"/>.</summary>
    /// <exception cref="UnsupportedException">The file is larger than a ustar size field holds.</exception>
    public static void Write(Stream output, Entry entry, IReadOnlyList<(string Key, byte[] Value)> xattrs, Stream? data)
    {
        if (entry.Size > MaxUstarSize)
        {
            throw new UnsupportedException($"\"{entry.Name}\" ({entry.Size} bytes) has binary xattrs and is too large for the raw PAX writer");
        }

        using MemoryStream records = new();
        AddRecord(records, "path", Encoding.UTF8.GetBytes(entry.Name));
        if (entry.LinkName is not null)
        {
            AddRecord(records, "linkpath", Encoding.UTF8.GetBytes(entry.LinkName));
        }

        AddRecord(records, "mtime", Encoding.ASCII.GetBytes(entry.MtimeSeconds.ToString(CultureInfo.InvariantCulture) + "." + entry.MtimeNanoseconds.ToString("D9", CultureInfo.InvariantCulture)));
        AddRecord(records, "uid", Encoding.ASCII.GetBytes(entry.Uid.ToString(CultureInfo.InvariantCulture)));
        AddRecord(records, "gid", Encoding.ASCII.GetBytes(entry.Gid.ToString(CultureInfo.InvariantCulture)));
        foreach ((string key, byte[] value) in xattrs)
        {
            AddRecord(records, "SCHILY.xattr." + key, value);
        }

        string shortName = ShortName(entry.Name);
        WriteHeader(output, ShortName("PaxHeaders/" + entry.Name.TrimEnd('/').Split('/')[^1]), 'x', 0x1a4, 0, 0, records.Length, entry.MtimeSeconds, null, 0, 0);
        WritePadded(output, records.GetBuffer().AsSpan(0, (int)records.Length));
        string? shortLink = entry.LinkName is null ? null : Truncate(entry.LinkName, 100);
        WriteHeader(output, shortName, entry.TypeFlag, entry.Mode, Math.Min(entry.Uid, MaxUstarId), Math.Min(entry.Gid, MaxUstarId), entry.TypeFlag == '0' ? entry.Size : 0, entry.MtimeSeconds, shortLink, entry.DevMajor, entry.DevMinor);
        if (entry.TypeFlag == '0' && data is not null)
        {
            CopyExactly(data, output, entry.Size, entry.Name);
        }
    }

    private static void AddRecord(MemoryStream records, string key, byte[] value)
    {
        // "<length> <key>=<value>\n", where the length counts itself: try lengths until the digits agree.
        int body = 1 + Encoding.UTF8.GetByteCount(key) + 1 + value.Length + 1;
        int length = body;
        while (length != body + length.ToString(CultureInfo.InvariantCulture).Length)
        {
            length = body + length.ToString(CultureInfo.InvariantCulture).Length;
        }

        records.Write(Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture) + " "));
        records.Write(Encoding.UTF8.GetBytes(key + "="));
        records.Write(value);
        records.WriteByte((byte)'\n');
    }

    private static string ShortName(string name) => Truncate(name, 100);

    private static string Truncate(string value, int bytes)
    {
        // The PAX record holds the real value; the ustar field keeps a prefix that fits (whole characters).
        while (Encoding.UTF8.GetByteCount(value) > bytes)
        {
            value = value[..^1];
        }

        return value;
    }

    private static void WriteHeader(Stream output, string name, char type, uint mode, long uid, long gid, long size, long mtime, string? linkName, uint devMajor, uint devMinor)
    {
        byte[] header = new byte[BlockSize];
        Span<byte> h = header;
        Encoding.UTF8.GetBytes(name, h[..100]);
        Octal(h.Slice(100, 8), mode & 0xFFF);
        Octal(h.Slice(108, 8), uid);
        Octal(h.Slice(116, 8), gid);
        Octal(h.Slice(124, 12), size);
        Octal(h.Slice(136, 12), Math.Clamp(mtime, 0, MaxUstarSize));
        h.Slice(148, 8).Fill((byte)' ');
        h[156] = (byte)type;
        if (linkName is not null)
        {
            Encoding.UTF8.GetBytes(linkName, h.Slice(157, 100));
        }

        "ustar\0"u8.CopyTo(h[257..]);
        "00"u8.CopyTo(h[263..]);
        if (type is '3' or '4')
        {
            Octal(h.Slice(329, 8), devMajor);
            Octal(h.Slice(337, 8), devMinor);
        }

        int checksum = 0;
        foreach (byte b in header)
        {
            checksum += b;
        }

        Octal(h.Slice(148, 7), checksum);
        output.Write(header);
    }

    private static void Octal(Span<byte> field, long value)
    {
        // Zero-padded octal digits and a NUL, as GNU tar writes them.
        string digits = Convert.ToString(value, 8).PadLeft(field.Length - 1, '0');
        Encoding.ASCII.GetBytes(digits, field);
        field[^1] = 0;
    }

    private static void WritePadded(Stream output, ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        int pad = (BlockSize - (bytes.Length % BlockSize)) % BlockSize;
        output.Write(new byte[pad]);
    }

    private static void CopyExactly(Stream data, Stream output, long size, string name)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            long left = size;
            while (left > 0)
            {
                int n = data.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    throw new IOException($"\"{name}\" shrank while it was written into the layer");
                }

                output.Write(buffer, 0, n);
                left -= n;
            }

            int pad = (int)((BlockSize - (size % BlockSize)) % BlockSize);
            output.Write(new byte[pad]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
