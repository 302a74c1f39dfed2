namespace Containers.Client;

/// <summary>A task's bundle directory: <c>config.json</c> written atomically, and a removal that never reaches into a mounted rootfs.</summary>
internal static class BundleFiles
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates the bundle with an empty <c>rootfs</c> and <c>config.json</c> (temp + fsync + rename).</summary>
    /// <exception cref="AlreadyExistsException">The bundle exists (a task of the container exists, or was left).</exception>
    public static void Create(string bundle, ReadOnlySpan<byte> spec)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!, Private);
        if (Directory.Exists(bundle))
        {
            throw new AlreadyExistsException("bundle", bundle);
        }

        Directory.CreateDirectory(bundle, Private);
        try
        {
            Directory.CreateDirectory(Path.Combine(bundle, "rootfs"));
            string config = Path.Combine(bundle, "config.json");
            string temp = config + ".tmp";
            using (FileStream stream = new(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
                stream.Write(spec);
                stream.Flush(flushToDisk: true);
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
