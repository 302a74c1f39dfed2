using System.Buffers.Text;
using System.Text;

namespace Containers.Snapshots.Apply;

/// <summary>
/// Follows the tar block structure of the bytes <see cref="System.Formats.Tar.TarReader"/> reads
/// and keeps the raw bytes of PAX <c>SCHILY.xattr.*</c>, <c>path</c> and <c>linkpath</c> values.
/// </summary>
/// <remarks>
/// <para>
/// TarReader decodes every PAX value as UTF-8, which replaces the bytes of binary values such as
/// <c>security.capability</c> with U+FFFD. This observer sees the same bytes before decoding. It
/// only has to be right for well-formed archives: the applier uses a captured value only when the
/// captured key set matches the keys TarReader reported for the entry, and otherwise falls back to
/// the decoded string.
/// </para>
/// <para>
/// TarReader also splits PAX records at the first newline, so an xattr value holding a 0x0a byte (PAX records
/// are length-prefixed and may hold any byte; GNU tar and Go's archive/tar write and read them) made it refuse
/// the archive. <see cref="PaxDataAhead"/> lets the stream under TarReader hand over a PAX data block whole, and
/// <see cref="MaskNewlines"/> then replaces the newlines inside <c>SCHILY.xattr.*</c> values in TarReader's
/// copy only, after this observer has kept the raw bytes, which are the ones applied.
/// </para>
/// <para>
/// The same holds for names: GNU tar writes a file name holding a newline as a PAX <c>path</c> (or <c>linkpath</c>)
/// record, and extracts it. Those newlines are masked as well, and <see cref="CurrentPath"/> and
/// <see cref="CurrentLinkPath"/> keep the raw names, which the applier uses only when TarReader's name is exactly
/// the raw name with its newlines masked.
/// </para>
/// </remarks>
internal sealed class PaxXattrCapture
{
    private const int BlockSize = 512;
    private const string XattrPrefix = "SCHILY.xattr.";
    private static ReadOnlySpan<byte> XattrPrefixBytes => "SCHILY.xattr."u8;

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _dataLeft;
    private long _padLeft;
    private MemoryStream? _paxData;
    private Dictionary<string, byte[]>? _pending;
    private string? _pendingPath;
    private string? _pendingLinkPath;
    private long _pendingSize = -1;

    /// <summary>The raw xattr values (keys without the <c>SCHILY.xattr.</c> prefix) of the last entry header read.</summary>
    public Dictionary<string, byte[]>? Current { get; private set; }

    /// <summary>The raw PAX <c>path</c> of the last entry header read, when it held a newline; else null.</summary>
    public string? CurrentPath { get; private set; }

    /// <summary>The raw PAX <c>linkpath</c> of the last entry header read, when it held a newline; else null.</summary>
    public string? CurrentLinkPath { get; private set; }

    /// <summary>What TarReader reports for a value whose newlines <see cref="MaskNewlines"/> masked.</summary>
    public static string Masked(string raw) => raw.Replace('\n', ' ');

    /// <summary>
    /// The size of the PAX data block that comes next when no byte of it has been seen yet (a captured <c>x</c>
    /// header was the last thing observed), else 0.
    /// </summary>
    public long PaxDataAhead => _paxData is { Length: 0 } ? _dataLeft : 0;

    /// <summary>
    /// Replaces every newline inside the value of a <c>SCHILY.xattr.*</c>, <c>path</c> or <c>linkpath</c> record of
    /// a whole PAX data block with a space, keeping each record's length, so that TarReader parses the block;
    /// returns whether any was replaced. Records of other keys are left as they are.
    /// </summary>
    public static bool MaskNewlines(Span<byte> data)
    {
        bool masked = false;
        while (!data.IsEmpty)
        {
            int space = data.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(data[..space], out int length, out int consumed) || consumed != space || length <= space + 1 || length > data.Length)
            {
                return masked;
            }

            Span<byte> record = data[(space + 1)..(length - 1)];
            if (data[length - 1] == (byte)'\n' && (record.StartsWith(XattrPrefixBytes) || record.StartsWith("path="u8) || record.StartsWith("linkpath="u8)) && record.IndexOf((byte)'=') is int eq and >= 0)
            {
                Span<byte> value = record[(eq + 1)..];
                if (value.Contains((byte)'\n'))
                {
                    value.Replace((byte)'\n', (byte)' ');
                    masked = true;
                }
            }

            data = data[length..];
        }

        return masked;
    }

    public void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_dataLeft > 0)
            {
                int take = (int)Math.Min(_dataLeft, data.Length);
                _paxData?.Write(data[..take]);
                _dataLeft -= take;
                data = data[take..];
                if (_dataLeft == 0 && _paxData is not null)
                {
                    ParsePax(_paxData.GetBuffer().AsSpan(0, (int)_paxData.Length));
                    _paxData = null;
                }

                continue;
            }

            if (_padLeft > 0)
            {
                int take = (int)Math.Min(_padLeft, data.Length);
                _padLeft -= take;
                data = data[take..];
                continue;
            }

            int copy = Math.Min(BlockSize - _headerFill, data.Length);
            data[..copy].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += copy;
            data = data[copy..];
            if (_headerFill == BlockSize)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return;
        }

        long size = ParseSize(_header.AsSpan(124, 12));
        byte type = _header[156];
        switch (type)
        {
            case (byte)'x':
                // A size beyond what a PAX header can sensibly hold is not captured; TarReader
                // will judge the archive itself.
                _paxData = size is > 0 and <= 1 << 20 ? new MemoryStream((int)size) : null;
                _pending = null;
                _pendingPath = null;
                _pendingLinkPath = null;
                _pendingSize = -1;
                break;
            case (byte)'g' or (byte)'L' or (byte)'K':
                _paxData = null;
                break;
            default:
                Current = _pending;
                CurrentPath = _pendingPath;
                CurrentLinkPath = _pendingLinkPath;
                if (_pendingSize >= 0)
                {
                    size = _pendingSize;
                }

                _pending = null;
                _pendingPath = null;
                _pendingLinkPath = null;
                _pendingSize = -1;
                _paxData = null;
                break;
        }

        // Entries without data (links, directories, devices) still carry size 0 in practice;
        // TarReader skips whatever size says, and so does this.
        _dataLeft = Math.Max(size, 0);
        _padLeft = (BlockSize - (_dataLeft % BlockSize)) % BlockSize;
        if (_dataLeft == 0 && _paxData is not null)
        {
            _paxData = null;
        }
    }

    private void ParsePax(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int space = data.IndexOf((byte)' ');
            if (space <= 0 || !Utf8Parser.TryParse(data[..space], out int length, out int consumed) || consumed != space || length <= space || length > data.Length)
            {
                return;
            }

            ReadOnlySpan<byte> record = data[(space + 1)..length];
            data = data[length..];
            if (record.IsEmpty || record[^1] != (byte)'\n')
            {
                return;
            }

            record = record[..^1];
            int eq = record.IndexOf((byte)'=');
            if (eq < 0)
            {
                return;
            }

            string key = Encoding.UTF8.GetString(record[..eq]);
            ReadOnlySpan<byte> value = record[(eq + 1)..];
            if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                (_pending ??= new Dictionary<string, byte[]>(StringComparer.Ordinal))[key[XattrPrefix.Length..]] = value.ToArray();
            }
            else if (key is "path" or "linkpath" && value.Contains((byte)'\n'))
            {
                string raw = Encoding.UTF8.GetString(value);
                if (key == "path")
                {
                    _pendingPath = raw;
                }
                else
                {
                    _pendingLinkPath = raw;
                }
            }
            else if (key == "size" && Utf8Parser.TryParse(value, out long size, out int used) && used == value.Length)
            {
                _pendingSize = size;
            }
        }
    }

    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            // GNU base-256: the low 8 bytes are enough for any real size.
            long value = 0;
            foreach (byte b in field[4..])
            {
                value = (value << 8) | b;
            }

            return value;
        }

        long octal = 0;
        foreach (byte b in field)
        {
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                octal = (octal * 8) + (b - '0');
            }
            else if (b is 0 or (byte)' ')
            {
                if (octal > 0)
                {
                    break;
                }
            }
            else
            {
                return 0;
            }
        }

        return octal;
    }
}
