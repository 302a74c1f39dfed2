using System.Globalization;

namespace Containers.Linux.Runtime;

/// <summary>Tells a process apart from a later one that got the same pid.</summary>
public static class ProcessIdentity
{
    /// <summary>Reads field 22 (starttime) of /proc/pid/stat; null when the process is gone or a zombie.</summary>
    /// <param name="pid">A host pid.</param>
    public static ulong? StartTimeOf(int pid)
    {
        string text;
        try
        {
            text = KernelFile.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        // The command name (field 2) may contain spaces and parentheses; fields restart after the last ')'.
        string[] fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        if (fields[0] is "Z" or "X")
        {
            return null;
        }

        return ulong.Parse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
