using System.Formats.Tar;
using System.Text;

namespace Containers.Benchmarks;

/// <summary>
/// Writes a synthetic layer shaped like a distribution root: many small text files, some
/// medium binaries, a few large ones, directories, symlinks and hard links.
/// </summary>
internal static class LayerGenerator
{
    /// <summary>Writes an uncompressed layer of roughly <paramref name="targetBytes"/> to <paramref name="output"/>.</summary>
    public static void Write(Stream output, long targetBytes, int seed = 1)
    {
        var random = new Random(seed);
        var time = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        long written = 0;
        int file = 0;
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 4096).Select(i => $"line {i} of some configuration or source text\n")));
        while (written < targetBytes)
        {
            string dir = $"usr/share/pkg{file / 100:D4}";
            if (file % 100 == 0)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, dir) { Mode = (UnixFileMode)0x1ed, ModificationTime = time });
            }

            int kind = file % 50;
            int size = kind switch
            {
                0 => 4 * 1024 * 1024,
                < 10 => 64 * 1024 + random.Next(256 * 1024),
                _ => random.Next(16 * 1024),
            };
            byte[] content = new byte[size];
            if (kind < 10)
            {
                // Binaries: half random (incompressible), half repetitive.
                random.NextBytes(content.AsSpan(0, size / 2));
                for (int i = size / 2; i < size; i++)
                {
                    content[i] = text[i % text.Length];
                }
            }
            else
            {
                for (int i = 0; i < size; i++)
                {
                    content[i] = text[(i + file) % text.Length];
                }
            }

            string name = $"{dir}/file{file:D6}";
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0x1a4, ModificationTime = time, DataStream = new MemoryStream(content) });
            if (file % 20 == 0)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name + ".link") { LinkName = $"file{file:D6}", ModificationTime = time });
            }

            if (file % 40 == 0)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, name + ".hard") { LinkName = name, ModificationTime = time });
            }

            written += size + 512;
            file++;
        }
    }
}
