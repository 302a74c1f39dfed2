using System.Globalization;

namespace Containers.Runc.Commands;

/// <summary>Go's time.ParseDuration syntax, which runc's duration flags use: <c>300ms</c>, <c>1.5s</c>, <c>1m30s</c>.</summary>
internal static class GoDuration
{
    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="UsageException">Not a Go duration; names <paramref name="flag"/>.</exception>
    public static TimeSpan Parse(string text, string flag)
    {
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        double ticks = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]) || (i < text.Length && text[i] == 'µ'))
            {
                i++;
            }

            if (start == unitStart || !double.TryParse(text.AsSpan(start, unitStart - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
            {
                throw new UsageException($"invalid value \"{text}\" for flag {flag}: parse error");
            }

            double unit = text[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => throw new UsageException($"invalid value \"{text}\" for flag {flag}: unknown unit \"{text[unitStart..i]}\""),
            };
            ticks += value * unit;
        }

        return TimeSpan.FromTicks((long)ticks);
    }
}
