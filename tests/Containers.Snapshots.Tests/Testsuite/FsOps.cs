namespace Containers.Snapshots.Tests.Testsuite;

/// <summary>
/// Filesystem edits applied to a mounted snapshot and to a plain directory alike, as continuity's
/// fstest appliers are in containerd's testsuite. Modes are set explicitly so the umask does not matter.
/// </summary>
internal static class FsOps
{
    public static Action<string> Ops(params Action<string>[] ops) => root =>
    {
        foreach (Action<string> op in ops)
        {
            op(root);
        }
    };

    public static Action<string> CreateFile(string path, string content, int mode) => root =>
    {
        string full = Full(root, path);
        File.WriteAllText(full, content);
        File.SetUnixFileMode(full, (UnixFileMode)mode);
    };

    public static Action<string> CreateDir(string path, int mode) => root =>
    {
        string full = Full(root, path);
        Directory.CreateDirectory(full);
        File.SetUnixFileMode(full, (UnixFileMode)mode);
    };

    public static Action<string> Chmod(string path, int mode) => root => File.SetUnixFileMode(Full(root, path), (UnixFileMode)mode);

    public static Action<string> SetOwner(string path, uint uid, uint gid) => root =>
        Assert.That(Interop.LChown(Full(root, path), uid, gid), Is.Zero, $"chown {path}");

    public static Action<string> RemoveAll(string path) => root =>
    {
        string full = Full(root, path);
        if (Directory.Exists(full) && new DirectoryInfo(full).LinkTarget is null)
        {
            Directory.Delete(full, recursive: true);
        }
        else
        {
            File.Delete(full);
        }
    };

    public static Action<string> Link(string existing, string name) => root =>
        Containers.Snapshots.Tests.Apply.RootChecks.HardLink(root, existing, name);

    public static Action<string> Symlink(string target, string name) => root =>
        File.CreateSymbolicLink(Full(root, name), target);

    /// <summary>
    /// rename(2), falling back to copy-and-delete on EXDEV as mv(1) does: overlayfs without redirect_dir
    /// refuses to rename a directory that comes from a lower layer.
    /// </summary>
    public static Action<string> Move(string from, string to) => root =>
    {
        string source = Full(root, from);
        string destination = Full(root, to);
        int errno = Interop.Rename(source, destination, 0);
        if (errno == Interop.EXDEV)
        {
            TreeCopierForTests(source, destination);
            Directory.Delete(source, recursive: true);
            return;
        }

        Assert.That(errno, Is.Zero, $"rename {from} {to}");
    };

    private static void TreeCopierForTests(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        TreeCopier.Copy(source, destination, CancellationToken.None);
    }

    private static string Full(string root, string path) => Path.Combine(root, path.TrimStart('/'));
}
