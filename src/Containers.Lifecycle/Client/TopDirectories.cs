using System.Collections.Concurrent;
using Containers.Common;

namespace Containers.Client;

/// <summary>
/// The state directories whose children are made and removed with each container — a namespace's bundles, the shims —
/// marked once per process as tops of directory hierarchies (<c>TopDirectoryFlag</c>, compiled into Containers.Linux and Containers.Snapshots), so that on ext4 each bundle
/// or shim directory and the files in it go to a block group of their own.
/// </summary>
internal static class TopDirectories
{
    private static readonly ConcurrentDictionary<string, bool> Marked = new(StringComparer.Ordinal);

    /// <summary>Marks <paramref name="directory"/> (which exists) the first time this process names it; no syscall after that.</summary>
    public static void MarkOnce(string directory)
    {
        if (Marked.TryAdd(directory, true))
        {
            _ = TopDirectoryFlag.TrySet(directory);
        }
    }
}
