using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Containers.Oci;

/// <summary>
/// Reads small files of an image's root filesystem (<c>/etc/passwd</c>, <c>/etc/group</c>) with every
/// path component resolved inside the rootfs by the kernel (<c>openat2</c> with <c>RESOLVE_IN_ROOT</c>),
/// so a symlink such as <c>/etc/passwd -&gt; /../../host/etc/shadow</c> cannot leave it, and with a
/// bounded read so a huge or endless file cannot exhaust memory.
/// </summary>
internal static class RootfsFiles
{
    /// <summary>The most bytes read from one file (containerd and runc read these files whole; 1 MiB is generous).</summary>
    public const int MaxFileSize = 1 << 20;

    /// <summary>Reads a file as UTF-8, or returns <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="SizeLimitExceededException">The file is larger than <see cref="MaxFileSize"/>.</exception>
    /// <exception cref="IOException">The rootfs or the file cannot be opened for another reason.</exception>
    public static async ValueTask<string?> ReadTextAsync(string rootfs, string path, CancellationToken cancellationToken)
    {
        using SafeFileHandle root = Lifecycle.Interop.OpenDirectoryPath(rootfs, out int errno);
        if (root.IsInvalid)
        {
            throw new IOException($"cannot open rootfs {rootfs}: errno {errno}");
        }

        using SafeFileHandle file = Lifecycle.Interop.OpenAt2(root, path, Lifecycle.Interop.O_RDONLY | Lifecycle.Interop.O_CLOEXEC,
            Lifecycle.Interop.RESOLVE_IN_ROOT | Lifecycle.Interop.RESOLVE_NO_MAGICLINKS, out errno);
        if (file.IsInvalid)
        {
            // ENOENT, or ENOTDIR when a component is not a directory: the file is absent, as for containerd.
            return errno is 2 or 20 ? null : throw new IOException($"cannot open {path} in rootfs {rootfs}: errno {errno}");
        }

        using var stream = new FileStream(file, FileAccess.Read, bufferSize: 0);
        byte[] buffer = new byte[MaxFileSize + 1];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        if (total > MaxFileSize)
        {
            throw new SizeLimitExceededException(path, MaxFileSize);
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }
}
