using System.Globalization;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>--pid-file</c>, written as runc writes it: to a hidden temp name beside it, then renamed, so a client that
/// polls for the file (conmon, containerd's shim) never reads it empty or half-written.
/// </summary>
internal static class PidFile
{
    // Set by the shim's in-process driver while a verb runs on its thread: the pid is handed over in memory
    // (the shim is the file's only reader), so no file is written.
    [ThreadStatic]
    private static bool t_capturing;

    [ThreadStatic]
    private static (string Path, int Pid)? t_captured;

    /// <summary>Writes <paramref name="pid"/> (no newline, as runc) to <paramref name="path"/>, or keeps it for <see cref="TakeCaptured"/> while capturing.</summary>
    public static void Write(string path, int pid)
    {
        string full = Path.GetFullPath(path);
        if (t_capturing)
        {
            t_captured = (full, pid);
            return;
        }

        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full));
        File.WriteAllText(temp, pid.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Keeps pids in memory instead of writing pid files, on this thread, until <see cref="StopCapture"/>.</summary>
    public static void StartCapture()
    {
        t_capturing = true;
        t_captured = null;
    }

    /// <summary>Writes pid files again (a pid kept meanwhile stays for <see cref="TakeCaptured"/>).</summary>
    public static void StopCapture() => t_capturing = false;

    /// <summary>The pid kept for <paramref name="path"/> since capturing started, once; null when none was.</summary>
    public static int? TakeCaptured(string path)
    {
        if (t_captured is (string captured, int pid) && captured == Path.GetFullPath(path))
        {
            t_captured = null;
            return pid;
        }

        return null;
    }
}
