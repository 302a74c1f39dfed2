using Native = Containers.Lifecycle.Interop;

namespace Containers.Client;

/// <summary>A task's bundle directory: <c>config.json</c> written atomically, and a removal that never reaches into a mounted rootfs.</summary>
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
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupTraversable = Private | UnixFileMode.GroupExecute;

    /// <summary>
    /// Creates the bundle with an empty <c>rootfs</c> and <c>config.json</c> (temp + rename, so nobody sees
    /// half a file). No fsync: the bundle lives in the volatile state directory for one task's life, and
    /// only an OS crash could lose unsynced data — after which no task or shim of it exists, the bundle
    /// is stale whatever it holds (a new task needs a new bundle from the record). A process crash loses
    /// nothing written.
    /// </summary>
    /// <param name="bundle">The bundle directory to make.</param>
    /// <param name="spec">The spec, written as <c>config.json</c> (0600).</param>
    /// <param name="rootGroup">The host gid of a user-namespace container's gid 0, which gets to traverse the bundle; null for none.</param>
    /// <exception cref="AlreadyExistsException">The bundle exists (a task of the container exists, or was left).</exception>
    public static void Create(string bundle, ReadOnlySpan<byte> spec, uint? rootGroup)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!, Traversable);
        if (Directory.Exists(bundle))
        {
            throw new AlreadyExistsException("bundle", bundle);
        }

        Directory.CreateDirectory(bundle, Private);
        try
        {
            if (rootGroup is uint gid)
            {
                Native.SetGroup(bundle, gid);
                File.SetUnixFileMode(bundle, GroupTraversable);
            }

            Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
            string config = Path.Combine(bundle, "config.json");
            string temp = config + ".tmp";
            using (FileStream stream = new(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                stream.Write(spec);
            }

            File.Move(temp, config);
        }
        catch
        {
            Delete(bundle);
            throw;
        }
    }

    /// <summary>
    /// Removes a bundle whose rootfs is unmounted. Only known names are removed and directories are
    /// removed non-recursively, so a rootfs still mounted (an unmount that failed) makes this throw
    /// instead of deleting the container's files through the mount.
    /// </summary>
    public static void Delete(string bundle)
    {
        if (!Directory.Exists(bundle))
        {
            return;
        }

        File.Delete(Path.Combine(bundle, "config.json"));
        File.Delete(Path.Combine(bundle, "config.json.tmp"));
        string rootfs = Path.Combine(bundle, "rootfs");
        if (Directory.Exists(rootfs))
        {
            Directory.Delete(rootfs);
        }

        Directory.Delete(bundle);
    }
}
