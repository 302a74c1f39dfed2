using System.Globalization;

namespace Containers.Runc.Commands;

/// <summary>Signal names and numbers as <c>runc kill</c> accepts them (KILL, SIGKILL, 9).</summary>
internal static class Signals
{
    private static readonly string[] Names =
    [
        string.Empty, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
        "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
        "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>Parses a signal name or number.</summary>
    /// <exception cref="UsageException">Unknown signal.</exception>
    public static int Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return number is > 0 and <= 64 ? number : throw new UsageException($"unknown signal \"{text}\"");
        }

        string name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        if (name == "IOT")
        {
            return 6;
        }

        if (name == "CLD")
        {
            return 17;
        }

        if (name == "POLL")
        {
            return 29;
        }

        int index = Array.IndexOf(Names, name);
        if (index > 0)
        {
            return index;
        }

        if (name.StartsWith("RTMIN", StringComparison.Ordinal) || name.StartsWith("RTMAX", StringComparison.Ordinal))
        {
            bool min = name[3] == 'I';
            string rest = name[5..];
            int offset = rest.Length == 0 ? 0 : int.Parse(rest, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            int value = min ? 34 + offset : 64 + offset;
            if (value is >= 34 and <= 64)
            {
                return value;
            }
        }

        throw new UsageException($"unknown signal \"{text}\"");
    }
}
