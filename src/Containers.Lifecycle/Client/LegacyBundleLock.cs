using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using Native = Containers.Lifecycle.Interop;

namespace Containers.Client;

/// <summary>
/// The <c>State/bundles/&lt;namespace&gt;/.&lt;id&gt;.lock</c> files of hosts before session 15, which took their bundle
/// claim on such a file (now the bundle directory is its own claim, <see cref="BundleGuard"/>) and left it behind
/// when they died. Nothing uses them any more; one is removed only while this process holds its flock (taken
/// without waiting), so a file another process still holds stays.
/// </summary>
/// <remarks>
/// All of a namespace's are removed once per host process, at its first task create there
/// (<see cref="BundleGuard.CreateAsync"/>); one held then goes when its id's bundle is deleted
/// (<see cref="BundleFiles.Delete"/>). A task create does not look for its own: it is on every run's path. A host of before session 15 running at the same time over the same state is not supported (the two
/// claims do not see each other): such a host that opened a file just before its removal would lock a file
/// without a name.
/// </remarks>
internal static class LegacyBundleLock
{
    private const int O_NOFOLLOW = 0x20000;
    private static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    /// <summary>Removes the lock file an older host left for <paramref name="bundle"/>, unless another process holds it; true when removed.</summary>
    public static bool RemoveIfStale(string bundle)
        => RemoveFileIfStale(Path.Combine(Path.GetDirectoryName(bundle)!, "." + Path.GetFileName(bundle) + ".lock"));

    /// <summary>Removes the stale lock files of the namespace's bundle directory <paramref name="bundles"/>, the first time this process asks for it.</summary>
    /// <returns>How many were removed.</returns>
    public static int SweepOnce(string bundles)
    {
        if (!Swept.TryAdd(Path.GetFullPath(bundles), true))
        {
            return 0;
        }

        int removed = 0;
        foreach (string path in Directory.EnumerateFiles(bundles, ".*.lock"))
        {
            removed += RemoveFileIfStale(path) ? 1 : 0;
        }

        return removed;
    }

    private static bool RemoveFileIfStale(string path)
    {
        // Non-blocking and not through a symlink: only a lock file as an older host made it is taken.
        SafeFileHandle? claim;
        try
        {
            claim = Native.TryLock(path, Native.O_RDONLY | Native.O_NONBLOCK | O_NOFOLLOW, out _);
        }
        catch (IOException)
        {
            return false; // not a file we can open (a symlink, no permission): not ours
        }

        if (claim is null)
        {
            return false; // none, or held by a live process
        }

        using (claim)
        {
            if (!Native.IsLinked(claim))
            {
                return false; // removed between the open and the flock
            }

            // Unlinked while held: a process that opened it meanwhile would lock a file with no name, not a claim.
            File.Delete(path);
            return true;
        }
    }
}
