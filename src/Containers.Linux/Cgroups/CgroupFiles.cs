using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Cgroups;

/// <summary>Reads and writes cgroup control files the way the kernel expects: one write(2) per value.</summary>
internal static class CgroupFiles
{
    public static void Write(string directory, string file, string value)
    {
        string path = System.IO.Path.Combine(directory, file);
        try
        {
            // Every value must reach the kernel in one write(2) on an O_TRUNC descriptor, as runc does.
            Span<byte> bytes = value.Length <= 256 ? stackalloc byte[value.Length] : new byte[value.Length];
            Encoding.ASCII.GetBytes(value, bytes);
            KernelFile.WriteExisting(path, bytes);
        }
        catch (IOException ex)
        {
            throw new CgroupException(path, $"writing '{value}' failed: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CgroupException(path, $"writing '{value}' failed: {ex.Message}", ex);
        }
    }

    public static void Write(string directory, string file, long value) => Write(directory, file, value.ToString(CultureInfo.InvariantCulture));

    public static void Write(string directory, string file, ulong value) => Write(directory, file, value.ToString(CultureInfo.InvariantCulture));

    public static string Read(string directory, string file) => KernelFile.ReadAllText(System.IO.Path.Combine(directory, file)).Trim();

    public static string? TryRead(string directory, string file)
    {
        try
        {
            return KernelFile.TryReadAllText(System.IO.Path.Combine(directory, file))?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool Exists(string directory, string file) => File.Exists(System.IO.Path.Combine(directory, file));

    public static ulong ReadUInt64(string directory, string file) => ParseUInt64(Read(directory, file));

    public static ulong TryReadUInt64(string directory, string file) => TryRead(directory, file) is string text && text.Length > 0 ? ParseUInt64(text) : 0;

    /// <summary>Parses a counter; "max" (v2 unlimited) becomes <see cref="ulong.MaxValue"/>, as runc reports it.</summary>
    public static ulong ParseUInt64(string text)
    {
        text = text.Trim();
        if (text == "max")
        {
            return ulong.MaxValue;
        }

        // v1 reports "unlimited" as a huge positive number, and some counters may be negative on old kernels.
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) ? value
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long signed) && signed < 0 ? 0UL
            : throw new FormatException($"'{text}' is not a cgroup counter");
    }

    /// <summary>Parses "key value" lines (memory.stat, cpu.stat, memory.events…).</summary>
    public static Dictionary<string, ulong> ReadKeyValues(string directory, string file)
    {
        Dictionary<string, ulong> values = new(StringComparer.Ordinal);
        if (TryRead(directory, file) is not string text)
        {
            return values;
        }

        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            {
                values[parts[0]] = value;
            }
        }

        return values;
    }

    /// <summary>The pids in a cgroup.procs file.</summary>
    public static List<int> ReadPids(string directory)
    {
        List<int> pids = [];
        if (TryRead(directory, "cgroup.procs") is not string text)
        {
            return pids;
        }

        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            pids.Add(int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return pids;
    }

    /// <summary>Creates a cgroup directory and its missing parents; returns the directories it created, outermost first.</summary>
    public static List<string> CreateDirectory(string path)
    {
        // mkdir first: the parent (the runtime's default parent cgroup) usually exists and the cgroup
        // itself usually does not, so one system call instead of a stat per level plus the mkdir.
        List<string> created = [];
        MakeDirectory(path, created);
        return created;
    }

    private static void MakeDirectory(string directory, List<string> created)
    {
        // Mode 0777 before the umask, as Directory.CreateDirectory made them.
        if (Interop.MkDir(directory, 0x1FF) == 0)
        {
            created.Add(directory);
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Interop.EEXIST && Directory.Exists(directory))
        {
            return;
        }

        if (errno == Interop.ENOENT && System.IO.Path.GetDirectoryName(directory) is string parent && parent != directory)
        {
            MakeDirectory(parent, created);
            if (Interop.MkDir(directory, 0x1FF) == 0)
            {
                created.Add(directory);
                return;
            }

            errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.EEXIST && Directory.Exists(directory))
            {
                return;
            }
        }

        throw new CgroupException(directory, "mkdir failed: " + KernelFile.Error(directory, errno).Message);
    }

    /// <summary>
    /// Removes a cgroup directory. rmdir fails with EBUSY while the last tasks are still exiting,
    /// so it is retried for a short while, as runc does.
    /// </summary>
    public static void RemoveDirectory(string path)
    {
        // The common case first: an empty cgroup whose tasks are gone goes with one rmdir(2); the
        // listing of sub-cgroups and the retries are for the other cases.
        if (Interop.RmDir(path) == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno is Interop.ENOENT)
        {
            return;
        }

        for (int attempt = 0; ; attempt++)
        {
            if (!Directory.Exists(path))
            {
                return;
            }

            // Children first: a container may have created sub-cgroups of its own.
            foreach (string child in Directory.GetDirectories(path))
            {
                RemoveDirectory(child);
            }

            try
            {
                // Directory.Delete(path, false) is a plain rmdir(2); control files are not real files.
                Directory.Delete(path, recursive: false);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException ex) when (attempt < 20)
            {
                _ = ex;
                Thread.Sleep(Math.Min(10 * (attempt + 1), 100));
            }
            catch (IOException ex)
            {
                throw new CgroupException(path, "rmdir failed: " + ex.Message, ex);
            }
        }
    }
}
