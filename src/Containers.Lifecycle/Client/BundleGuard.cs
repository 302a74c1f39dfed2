using Containers.Snapshots.Mounting;
using Containers.Tasks;
using Microsoft.Win32.SafeHandles;
using Native = Containers.Lifecycle.Interop;

namespace Containers.Client;

/// <summary>
/// A container's bundle (<c>&lt;State&gt;/bundles/&lt;namespace&gt;/&lt;id&gt;</c>) made and held while its task is created.
/// The bundle directory is its own claim: made with mkdir (which fails for an existing name) and held with an
/// exclusive flock on its descriptor (released by the kernel if the host dies), so a bundle found unlocked with
/// no task for it was left by a host that crashed and may be removed. (Before session 15 the flock was taken on
/// a separate <c>.&lt;id&gt;.lock</c> file beside the bundle: one file created and removed more per task.)
/// </summary>
internal sealed class BundleGuard : IDisposable
{
    private readonly SafeFileHandle _directory;

    private BundleGuard(SafeFileHandle directory) => _directory = directory;

    /// <summary>
    /// Makes the bundle (see <see cref="BundleFiles.Populate"/>) and holds it. A bundle that exists is removed first
    /// when it is stale: nobody holds it and its container has no task (no shim state) — a host that died between
    /// writing the bundle and creating the task, or before deleting it. Its rootfs, if still mounted, is unmounted
    /// first (no task uses it); the bundle of a task that exists is left, and the create reports the task.
    /// </summary>
    /// <exception cref="AlreadyExistsException">The container has a task (its bundle exists).</exception>
    /// <exception cref="FailedPreconditionException">Another process is creating the container's task now.</exception>
    public static async Task<BundleGuard> CreateAsync(ContainerClient client, string id, string bundle, ReadOnlyMemory<byte> spec, uint? rootGroup, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(bundle)!, BundleFiles.Traversable);
        // Once per process and namespace (no syscall after that): every task create is on the hot path.
        _ = LegacyBundleLock.SweepOnce(Path.GetDirectoryName(bundle)!);
        TopDirectories.MarkOnce(Path.GetDirectoryName(bundle)!);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (Native.TryMakeDirectory(bundle, BundleFiles.Private))
            {
                // Between the mkdir and the flock a concurrent create may have found the new bundle unlocked and
                // without a task, taken it for stale and removed it: then the claim is that create's.
                SafeFileHandle? claim = Native.TryLockDirectory(bundle, out _);
                if (claim is null || !Native.IsLinked(claim))
                {
                    claim?.Dispose();
                    throw Busy(id, "its bundle was taken over");
                }

                try
                {
                    BundleFiles.Populate(bundle, spec.Span, rootGroup);
                }
                catch
                {
                    BundleFiles.Delete(bundle);
                    claim.Dispose();
                    throw;
                }

                return new BundleGuard(claim);
            }

            SafeFileHandle? existing = Native.TryLockDirectory(bundle, out bool held);
            if (existing is null && held)
            {
                throw Busy(id, "its bundle is locked");
            }

            if (existing is null)
            {
                continue; // removed meanwhile: the mkdir again
            }

            using (existing)
            {
                if (!Native.IsLinked(existing))
                {
                    continue; // removed between the open and the flock, by the process that held it
                }

                if (await TaskExistsAsync(client, id, cancellationToken).ConfigureAwait(false))
                {
                    throw new AlreadyExistsException("bundle", bundle);
                }

                string rootfs = Path.Combine(bundle, "rootfs");
                if (IsMountPoint(rootfs))
                {
                    MountHelper.Unmount(rootfs);
                }

                BundleFiles.Delete(bundle);
                ContainerClientLog.StaleBundleRemoved(client.Logger, id, bundle);
            }
        }

        throw Busy(id, "its bundle keeps being made and removed");
    }

    /// <summary>Releases the bundle (it stays, for the task; the task's delete removes it).</summary>
    public void Dispose() => _directory.Dispose();

    private static FailedPreconditionException Busy(string id, string why)
        => new($"another process is creating the task of container \"{id}\" ({why})");

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
