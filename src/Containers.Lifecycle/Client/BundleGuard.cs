using Containers.Snapshots.Mounting;
using Containers.Tasks;

namespace Containers.Client;

/// <summary>
/// Held while a container's task is created: an exclusive lock (flock, released by the kernel when its
/// process dies) on <c>&lt;State&gt;/bundles/&lt;namespace&gt;/.&lt;id&gt;.lock</c>, so a bundle found while holding
/// it, with no task for it, was left by a host that crashed and may be removed.
/// </summary>
internal sealed class BundleGuard : IDisposable
{
    private readonly FileStream _lock;

    private BundleGuard(FileStream @lock) => _lock = @lock;

    /// <summary>The lock file of a container's bundle (ids never start with a dot, so no bundle has its name).</summary>
    public static string LockPath(string bundle) => Path.Combine(Path.GetDirectoryName(bundle)!, "." + Path.GetFileName(bundle) + ".lock");

    /// <summary>
    /// Takes the lock, then removes a stale bundle: one whose container has no task (no shim state)
    /// — a host that died between writing the bundle and creating the task, or before deleting it.
    /// Its rootfs, if still mounted, is unmounted first (no task uses it); a bundle of a task that
    /// exists is left, and the create reports the task.
    /// </summary>
    /// <exception cref="FailedPreconditionException">Another process is creating the container's task now.</exception>
    public static async Task<BundleGuard> AcquireAsync(ContainerClient client, string id, string bundle, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!, BundleFiles.Traversable);
        FileStream @lock;
        try
        {
            // FileShare.None is flock(LOCK_EX | LOCK_NB) in .NET on Unix.
            @lock = new FileStream(LockPath(bundle), new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new FailedPreconditionException($"another process is creating the task of container \"{id}\" ({ex.Message})");
        }

        try
        {
            if (Directory.Exists(bundle) && !await TaskExistsAsync(client, id, cancellationToken).ConfigureAwait(false))
            {
                string rootfs = Path.Combine(bundle, "rootfs");
                if (IsMountPoint(rootfs))
                {
                    MountHelper.Unmount(rootfs);
                }

                BundleFiles.Delete(bundle);
                ContainerClientLog.StaleBundleRemoved(client.Logger, id, bundle);
            }
        }
        catch
        {
            await @lock.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new BundleGuard(@lock);
    }

    /// <summary>Releases the lock (the file stays, for the container's later tasks; the container's delete removes it).</summary>
    public void Dispose() => _lock.Dispose();

    private static async Task<bool> TaskExistsAsync(ContainerClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            _ = await client.Tasks.StateAsync(id, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="path"/> is a mount point of this process's mount namespace (/proc/self/mountinfo, field 5).</summary>
    internal static bool IsMountPoint(string path)
    {
        string full = Path.GetFullPath(path);
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ', 6);
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as <c>\ooo</c>.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        System.Text.StringBuilder text = new(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field.AsSpan(i + 1, 3)))
            {
                text.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }

    private static bool IsOctal(ReadOnlySpan<char> digits) => digits.Length == 3 && digits[0] is >= '0' and <= '7' && digits[1] is >= '0' and <= '7' && digits[2] is >= '0' and <= '7';
}
