using System.Formats.Tar;

namespace Containers.Images.Tests.Layout;

/// <summary>Builds tar archives entry by entry, including the hostile kinds an attacker would use.</summary>
internal sealed class TarBuilder
{
    private readonly List<Func<PaxTarEntry>> _entries = [];

    public TarBuilder File(string name, byte[] content)
    {
        _entries.Add(() => new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        return this;
    }

    public TarBuilder Symlink(string name, string target)
    {
        _entries.Add(() => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });
        return this;
    }

    public TarBuilder HardLink(string name, string target)
    {
        _entries.Add(() => new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });
        return this;
    }

    /// <summary>Adds every file of an OCI layout directory, skipping the names <paramref name="skip"/> accepts.</summary>
    public TarBuilder Layout(string directory, Func<string, bool>? skip = null)
    {
        foreach (string path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(directory, path);
            if (skip?.Invoke(name) != true)
            {
                File(name, System.IO.File.ReadAllBytes(path));
            }
        }

        return this;
    }

    public MemoryStream Build()
    {
        MemoryStream output = new();
        using (TarWriter writer = new(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (Func<PaxTarEntry> entry in _entries)
            {
                writer.WriteEntry(entry());
            }
        }

        output.Position = 0;
        return output;
    }
}
