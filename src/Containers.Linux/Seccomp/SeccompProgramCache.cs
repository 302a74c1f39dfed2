using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Containers.Oci.Runtime;

namespace Containers.Linux.Seccomp;

/// <summary>
/// Remembers compiled programs by the SHA-256 of the profile's canonical JSON and the architecture (as crun
/// does), in memory and, when given a directory, on disk so that other processes reuse them too.
/// </summary>
public sealed class SeccompProgramCache
{
    private const uint DiskMagic = 0x46504253; // "SBPF"
    private const int DiskVersion = 1;

    private readonly ConcurrentDictionary<string, SeccompProgram> _memory = new(StringComparer.Ordinal);
    private readonly string? _directory;
    private long _hits;
    private long _misses;

    /// <summary>Creates a cache; with <paramref name="directory"/> programs are also kept there as files.</summary>
    public SeccompProgramCache(string? directory = null)
    {
        _directory = directory;
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
    }

    /// <summary>Lookups answered from memory or disk.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that had to compile.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>The cache key: hex SHA-256 over the canonical profile JSON and the architecture name.</summary>
    public static string KeyOf(LinuxSeccomp profile, SeccompArchitecture nativeArch)
    {
        ArgumentNullException.ThrowIfNull(profile);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(profile, RuntimeSpecJsonContext.Default.LinuxSeccomp);
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(json);
        hash.AppendData("\n"u8);
        hash.AppendData(Encoding.UTF8.GetBytes(SeccompArchitectureInfo.Of(nativeArch).OciName));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The program for <paramref name="profile"/>, compiled only when neither memory nor disk has it.</summary>
    /// <exception cref="InvalidSpecException">The profile is malformed.</exception>
    public SeccompProgram GetOrCompile(LinuxSeccomp profile, SeccompArchitecture nativeArch)
    {
        string key = KeyOf(profile, nativeArch);
        if (_memory.TryGetValue(key, out SeccompProgram? cached))
        {
            Interlocked.Increment(ref _hits);
            return cached;
        }

        string? file = _directory is null ? null : Path.Combine(_directory, key + ".bpf");
        if (file is not null && TryRead(file, out SeccompProgram? stored))
        {
            Interlocked.Increment(ref _hits);
            return _memory.GetOrAdd(key, stored);
        }

        Interlocked.Increment(ref _misses);
        SeccompProgram program = SeccompCompiler.Compile(profile, nativeArch);
        if (file is not null)
        {
            Write(file, program);
        }

        return _memory.GetOrAdd(key, program);
    }

    private static void Write(string file, SeccompProgram program)
    {
        string temporary = file + "." + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp";
        using (FileStream stream = new(temporary, FileMode.Create, FileAccess.Write))
        using (BinaryWriter writer = new(stream))
        {
            writer.Write(DiskMagic);
            writer.Write(DiskVersion);
            writer.Write((uint)program.Flags);
            writer.Write((int)program.NativeArchitecture);
            writer.Write((int)program.DefaultAction);
            writer.Write(program.SyscallCount);
            writer.Write(program.Architectures.Count);
            foreach (SeccompArchitecture arch in program.Architectures)
            {
                writer.Write((int)arch);
            }

            writer.Write(program.ListenerPath ?? string.Empty);
            writer.Write(program.ListenerMetadata ?? string.Empty);
            writer.Write(program.Length);
            writer.Write(MemoryMarshal.AsBytes(program.AsSpan()));
        }

        // Readers never see a half-written program: the file appears whole or not at all.
        File.Move(temporary, file, overwrite: true);
    }

    private static bool TryRead(string file, out SeccompProgram program)
    {
        program = null!;
        try
        {
            using FileStream stream = new(file, FileMode.Open, FileAccess.Read);
            using BinaryReader reader = new(stream);
            if (reader.ReadUInt32() != DiskMagic || reader.ReadInt32() != DiskVersion)
            {
                return false;
            }

            SeccompFilterFlags flags = (SeccompFilterFlags)reader.ReadUInt32();
            SeccompArchitecture native = (SeccompArchitecture)reader.ReadInt32();
            SeccompActionType defaultAction = (SeccompActionType)reader.ReadInt32();
            int syscallCount = reader.ReadInt32();
            int archCount = reader.ReadInt32();
            if (archCount is < 1 or > 64)
            {
                return false;
            }

            SeccompArchitecture[] archs = new SeccompArchitecture[archCount];
            for (int i = 0; i < archCount; i++)
            {
                archs[i] = (SeccompArchitecture)reader.ReadInt32();
            }

            string listenerPath = reader.ReadString();
            string listenerMetadata = reader.ReadString();
            int length = reader.ReadInt32();
            if (length is < 1 or > SeccompProgram.MaxInstructions)
            {
                return false;
            }

            byte[] bytes = reader.ReadBytes(length * 8);
            if (bytes.Length != length * 8 || stream.Position != stream.Length)
            {
                return false;
            }

            program = new SeccompProgram(MemoryMarshal.Cast<byte, SockFilter>(bytes).ToArray(), flags, native, archs, defaultAction,
                syscallCount, listenerPath.Length == 0 ? null : listenerPath, listenerMetadata.Length == 0 ? null : listenerMetadata);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
