namespace Containers.Snapshots;

/// <summary>Deletes a snapshot directory tree; symlinks are removed, never followed.</summary>
internal static class TreeRemover
{
    public static void Remove(string path)
    {
        var info = new DirectoryInfo(path);
        if (!info.Exists)
        {
            return;
        }

        if (info.LinkTarget is not null)
        {
            info.Delete();
            return;
        }

        // Directory.Delete unlinks symlinked directories instead of descending into them, and as root
        // it is not stopped by modes such as overlay's 0000 work/work directory.
        info.Delete(recursive: true);
    }
}
