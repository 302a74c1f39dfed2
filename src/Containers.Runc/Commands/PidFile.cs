using System.Globalization;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>--pid-file</c>, written as runc writes it: to a hidden temp name beside it, then renamed, so a client that
/// polls for the file (conmon, containerd's shim) never reads it empty or half-written.
/// </summary>
internal static class PidFile
{
    /// <summary>Writes <paramref name="pid"/> (no newline, as runc) to <paramref name="path"/>.</summary>
    public static void Write(string path, int pid)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full));
        File.WriteAllText(temp, pid.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, full, overwrite: true);
    }
}
