using System.Formats.Tar;
using System.Text;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>Writes test layers with <see cref="TarWriter"/> (PAX), like containerd's tartest helpers.</summary>
internal sealed class TarBuilder
{
    public static readonly DateTimeOffset DefaultTime = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly List<PaxTarEntry> _entries = [];
    private readonly List<(string Placeholder, byte[] Value)> _binaryPatches = [];

    public int Uid { get; init; }

    public int Gid { get; init; }

    public DateTimeOffset Time { get; init; } = DefaultTime;

    public int Count => _entries.Count;

    public TarBuilder Dir(string name, int mode = 0x1ed, Action<PaxTarEntry>? configure = null) =>
        Add(TarEntryType.Directory, name, mode, configure);

    public TarBuilder File(string name, string content, int mode = 0x1a4, Action<PaxTarEntry>? configure = null) =>
        File(name, Encoding.UTF8.GetBytes(content), mode, configure);

    public TarBuilder File(string name, byte[] content, int mode = 0x1a4, Action<PaxTarEntry>? configure = null) =>
        Add(TarEntryType.RegularFile, name, mode, e =>
        {
            e.DataStream = new MemoryStream(content);
            configure?.Invoke(e);
        });

    public TarBuilder Symlink(string target, string name) =>
        Add(TarEntryType.SymbolicLink, name, 0x1ff, e => e.LinkName = target);

    public TarBuilder Link(string target, string name) =>
        Add(TarEntryType.HardLink, name, 0x1a4, e => e.LinkName = target);

    public TarBuilder Node(TarEntryType type, string name, int mode, int major = 0, int minor = 0, Action<PaxTarEntry>? configure = null) =>
        Add(type, name, mode, e =>
        {
            if (type != TarEntryType.Fifo)
            {
                e.DeviceMajor = major;
                e.DeviceMinor = minor;
            }

            configure?.Invoke(e);
        });

    public TarBuilder Whiteout(string name) => File(name, []);

    /// <summary>A file with xattrs; binary values are written byte for byte (TarWriter only takes strings).</summary>
    public TarBuilder FileWithXattrs(string name, string content, int mode, params (string Key, byte[] Value)[] xattrs) =>
        WithXattrs(TarEntryType.RegularFile, name, Encoding.UTF8.GetBytes(content), mode, xattrs);

    /// <summary>A directory with xattrs, written as <see cref="FileWithXattrs"/> writes them.</summary>
    public TarBuilder DirWithXattrs(string name, int mode, params (string Key, byte[] Value)[] xattrs) =>
        WithXattrs(TarEntryType.Directory, name, null, mode, xattrs);

    private TarBuilder WithXattrs(TarEntryType type, string name, byte[]? content, int mode, (string Key, byte[] Value)[] xattrs)
    {
        var attributes = new Dictionary<string, string>();
        foreach ((string key, byte[] value) in xattrs)
        {
            string placeholder = NewPlaceholder(value.Length);
            _binaryPatches.Add((placeholder, value));
            attributes["SCHILY.xattr." + key] = placeholder;
        }

        var entry = new PaxTarEntry(type, name, attributes)
        {
            Mode = (UnixFileMode)mode,
            Uid = Uid,
            Gid = Gid,
            ModificationTime = Time,
        };
        if (content is not null)
        {
            entry.DataStream = new MemoryStream(content);
        }

        _entries.Add(entry);
        return this;
    }

    public TarBuilder Add(TarEntryType type, string name, int mode, Action<PaxTarEntry>? configure = null)
    {
        var entry = new PaxTarEntry(type, name)
        {
            Mode = (UnixFileMode)mode,
            Uid = Uid,
            Gid = Gid,
            ModificationTime = Time,
        };
        configure?.Invoke(entry);
        _entries.Add(entry);
        return this;
    }

    public byte[] Build()
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (PaxTarEntry entry in _entries)
            {
                entry.DataStream?.Seek(0, SeekOrigin.Begin);
                writer.WriteEntry(entry);
            }
        }

        byte[] bytes = output.ToArray();
        foreach ((string placeholder, byte[] value) in _binaryPatches)
        {
            int at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(placeholder));
            value.CopyTo(bytes, at);
        }

        return bytes;
    }

    public MemoryStream BuildStream() => new(Build());

    private string NewPlaceholder(int length)
    {
        var text = new StringBuilder();
        text.Append('~').Append(_binaryPatches.Count).Append('~');
        while (text.Length < length)
        {
            text.Append('Q');
        }

        return text.ToString(0, length);
    }
}
