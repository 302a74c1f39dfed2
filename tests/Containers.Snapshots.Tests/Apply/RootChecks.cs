using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>Assertions about a tree, resolving paths inside the root as containerd's fs.RootPath does.</summary>
internal static class RootChecks
{
    public static (ulong Dev, ulong Ino) Identity(string root, string path)
    {
        using SafeFileHandle rootFd = Interop.OpenAt(Interop.AT_FDCWD, root, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC, 0);
        Assert.That(rootFd.IsInvalid, Is.False, "open root");
        using SafeFileHandle fd = Interop.OpenAt2(rootFd, path.TrimStart('/'), Interop.O_PATH | Interop.O_CLOEXEC, Interop.RESOLVE_IN_ROOT, out int errno);
        Assert.That(errno, Is.Zero, $"resolve {path} in root");
        Interop.Statx st = Interop.FStat(fd);
        return (((ulong)st.DevMajor << 32) | st.DevMinor, st.Ino);
    }

    public static void SameFile(string root, string a, string b) =>
        Assert.That(Identity(root, a), Is.EqualTo(Identity(root, b)), $"{a} and {b} should be the same file");

    public static void NotSameFile(string root, string a, string b) =>
        Assert.That(Identity(root, a), Is.Not.EqualTo(Identity(root, b)), $"{a} and {b} should differ");

    public static void FileValue(string root, string path, string content) =>
        Assert.That(File.ReadAllText(Path.Combine(root, path.TrimStart('/'))), Is.EqualTo(content), path);

    public static void NotExists(string root, string path) =>
        Assert.That(TreeSnapshot.Exists(Path.Combine(root, path.TrimStart('/'))), Is.False, $"{path} should not exist");

    public static void IsSymlink(string root, string path) =>
        Assert.That(TreeSnapshot.LStat(Path.Combine(root, path.TrimStart('/'))).FileType, Is.EqualTo(Interop.S_IFLNK), $"{path} should be a symlink");

    public static void SameSymlink(string root, string a, string b)
    {
        IsSymlink(root, a);
        IsSymlink(root, b);
        Assert.That(new FileInfo(Path.Combine(root, a.TrimStart('/'))).LinkTarget, Is.EqualTo(new FileInfo(Path.Combine(root, b.TrimStart('/'))).LinkTarget));
    }

    /// <summary>Creates a hard link with link(2), as fstest.Link does for the pre-existing tree.</summary>
    public static void HardLink(string root, string target, string name)
    {
        using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
        Assert.That(Interop.LinkAt(cwd, Path.Combine(root, target.TrimStart('/')), cwd, Path.Combine(root, name.TrimStart('/')), 0), Is.Zero, "link");
    }
}
