namespace Containers.Client;

/// <summary>A task's bundle directory: <c>config.json</c> written atomically, and a removal that never reaches into a mounted rootfs.</summary>
internal static class BundleFiles
{
    // 0711, as containerd's bundle directories: a container in a user namespace (its root an unprivileged host id)
    // must pass through them to bind its rootfs; nobody else may list them, and config.json stays 0600.
    internal const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// Creates the bundle with an empty <c>rootfs</c> and <c>config.json</c> (temp + rename, so nobody sees
    /// half a file). No fsync: the bundle lives in the volatile state directory for one task's life, and
    /// only an OS crash could lose unsynced data — after which no task or shim of it exists, the bundle
    /// is stale whatever it holds (a new task needs a new bundle from the record). A process crash loses
    /// nothing written.
    /// </summary>
    /// <exception cref="AlreadyExistsException">The bundle exists (a task of the container exists, or was left).</exception>
    public static void Create(string bundle, ReadOnlySpan<byte> spec)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!, Traversable);
        if (Directory.Exists(bundle))
        {
            throw new AlreadyExistsException("bundle", bundle);
        }

        Directory.CreateDirectory(bundle, Traversable);
        try
        {
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
