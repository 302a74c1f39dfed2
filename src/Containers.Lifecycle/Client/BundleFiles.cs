using Native = Containers.Lifecycle.Interop;

namespace Containers.Client;

/// <summary>A task's bundle directory: its contents (the directory itself is made by <see cref="BundleGuard"/>), and a removal that never reaches into a mounted rootfs.</summary>
internal static class BundleFiles
{
    /// <summary>
    /// 0711 for <c>bundles/&lt;ns&gt;</c>, as containerd's bundle parent: a user-namespace container's root (an
    /// unprivileged host id) must pass through it to reach its rootfs; nobody may list it.
    /// </summary>
    internal const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    // A bundle itself is 0700, or 0710 with the group of a user-namespace container's mapped root, as containerd's
    // since CVE-2021-41103: a bundle any host user could traverse would let them reach the mounted rootfs (and run
    // its setuid files, or write into world-writable directories of it).
    internal const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>The bundle's directory of exec FIFO directories (<c>execs/&lt;32 hex&gt;/{stdin,stdout,stderr}</c>, each 0700).</summary>
    internal const string ExecFifos = "execs";
    private const UnixFileMode GroupTraversable = Private | UnixFileMode.GroupExecute;

    /// <summary>
    /// Fills a bundle directory just made (0700) and held by <see cref="BundleGuard"/>: an empty <c>rootfs</c> and
    /// <c>config.json</c>. The spec is written straight to its name, without a temp file and rename: nobody reads a
    /// bundle before its task exists — the shim is given it only after this returns, and a bundle without a task is
    /// stale by definition (a host that dies mid-write leaves it unlocked and task-less, and the next create removes
    /// it). No fsync either: the bundle lives in the volatile state directory for one task's life, and only an OS
    /// crash could lose unsynced data — after which no task or shim of it exists. A process crash loses nothing written.
    /// </summary>
    /// <param name="bundle">The bundle directory.</param>
    /// <param name="spec">The spec, written as <c>config.json</c> (0600).</param>
    /// <param name="rootGroup">The host gid of a user-namespace container's gid 0, which gets to traverse the bundle; null for none.</param>
    public static void Populate(string bundle, ReadOnlySpan<byte> spec, uint? rootGroup)
    {
        if (rootGroup is uint gid)
        {
            Native.SetGroup(bundle, gid);
            File.SetUnixFileMode(bundle, GroupTraversable);
        }

        Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
        using FileStream stream = new(Path.Combine(bundle, "config.json"), new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        stream.Write(spec);
    }

    /// <summary>
    /// Removes a bundle whose rootfs is unmounted (and an older host's stale lock file for it, <see cref="LegacyBundleLock"/>).
    /// Only known names are removed and directories are removed non-recursively, so a rootfs still mounted (an unmount that failed) makes this throw
    /// instead of deleting the container's files through the mount.
    /// </summary>
    public static void Delete(string bundle)
    {
        _ = LegacyBundleLock.RemoveIfStale(bundle);
        if (!Directory.Exists(bundle))
        {
            return;
        }

        // The init's FIFOs (StdioFifos.CreateIn) are here too: gone already when their host disposed them.
        foreach (string name in (string[])["config.json", "stdin", "stdout", "stderr", "config.json.tmp" /* of a host before session 15 that died mid-write */])
        {
            File.Delete(Path.Combine(bundle, name));
        }

        RemoveExecFifos(Path.Combine(bundle, ExecFifos));
        string rootfs = Path.Combine(bundle, "rootfs");
        if (Directory.Exists(rootfs))
        {
            Directory.Delete(rootfs);
        }

        Directory.Delete(bundle);
    }

    /// <summary>
    /// Removes the FIFO directories of the task's execs (those nobody deleted, also when the shim that knew them died),
    /// by name and non-recursively as the rest of the bundle: anything else in them makes the delete throw.
    /// </summary>
    private static void RemoveExecFifos(string execs)
    {
        if (!Directory.Exists(execs))
        {
            return;
        }

        foreach (string directory in Directory.EnumerateDirectories(execs))
        {
            foreach (string name in (string[])["stdin", "stdout", "stderr"])
            {
                File.Delete(Path.Combine(directory, name));
            }

            Directory.Delete(directory);
        }

        Directory.Delete(execs);
    }
}
