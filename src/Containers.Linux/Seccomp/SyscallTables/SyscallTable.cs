using System.Collections.Frozen;

namespace Containers.Linux.Seccomp;

/// <summary>
/// Resolves syscall names to numbers for each <see cref="SyscallAbi"/>. The data (in
/// <c>SyscallTable.Generated.cs</c>) is libseccomp's own table, so a profile means the same thing here as
/// under runc or crun.
/// </summary>
internal static partial class SyscallTable
{
    // Built on first use: static initializers of the generated partial may run after ours.
    private static FrozenDictionary<string, int>? _rowByName;

    private static FrozenDictionary<string, int> RowByName => _rowByName ??= BuildIndex();

    /// <summary>Every name the table knows.</summary>
    internal static IReadOnlyList<string> AllNames => Names;

    /// <summary>The number of <paramref name="name"/> on <paramref name="abi"/>, or -1 when unknown there.</summary>
    internal static int Resolve(string name, SyscallAbi abi)
        => RowByName.TryGetValue(name, out int row) ? Numbers[(row * AbiCount) + (int)abi] : -1;

    /// <summary>The name of syscall <paramref name="number"/> on <paramref name="abi"/>, or null.</summary>
    internal static string? NameOf(int number, SyscallAbi abi)
    {
        for (int row = 0; row < Names.Length; row++)
        {
            if (Numbers[(row * AbiCount) + (int)abi] == number)
            {
                return Names[row];
            }
        }

        return null;
    }

    private static FrozenDictionary<string, int> BuildIndex()
    {
        Dictionary<string, int> index = new(Names.Length, StringComparer.Ordinal);
        for (int i = 0; i < Names.Length; i++)
        {
            index[Names[i]] = i;
        }

        return index.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
