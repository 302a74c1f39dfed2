using System.Globalization;

namespace Containers.Runc;

/// <summary>
/// The parsed command line: global options, the verb, its options and positional arguments.
/// Flags follow runc's spelling (<c>--bundle</c>/<c>-b</c>, <c>--pid-file</c>…); an unknown flag is an error.
/// </summary>
internal sealed class CommandLine
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["-b"] = "--bundle",
        ["-d"] = "--detach",
        ["-a"] = "--all",
        ["-q"] = "--quiet",
    };

    private static readonly HashSet<string> GlobalValueFlags = new(StringComparer.Ordinal) { "--root", "--log", "--log-format", "--criu", "--rootless" };
    private static readonly HashSet<string> GlobalSwitches = new(StringComparer.Ordinal) { "--debug", "--systemd-cgroup" };

    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, string>> _values = [];

    /// <summary>Verbs whose first positional argument ends the flags (runc exec: the command's own flags follow).</summary>
    private static readonly HashSet<string> FlagsEndAtFirstArgument = new(StringComparer.Ordinal) { "exec" };

    private CommandLine(string verb)
    {
        Verb = verb;
    }

    /// <summary>The verb (<c>run</c>, <c>create</c>…), or empty.</summary>
    public string Verb { get; }

    /// <summary>Positional arguments after the verb.</summary>
    public List<string> Arguments { get; } = [];

    /// <summary>Global options (before the verb).</summary>
    public Dictionary<string, string?> Globals { get; } = new(StringComparer.Ordinal);

    /// <summary>The state root: <c>--root</c> or /run/runcs.</summary>
    public string Root => Globals.TryGetValue("--root", out string? root) && root is not null ? root : "/run/runcs";

    /// <summary>Parses <paramref name="args"/>; <paramref name="verbFlags"/> maps each verb to its value flags and switches.</summary>
    /// <exception cref="UsageException">An unknown flag or a missing value.</exception>
    public static CommandLine Parse(string[] args, Func<string, (IReadOnlySet<string> Values, IReadOnlySet<string> Switches)> verbFlags)
    {
        int i = 0;
        Dictionary<string, string?> globals = new(StringComparer.Ordinal);
        while (i < args.Length && args[i].StartsWith('-'))
        {
            (string name, string? inline) = Split(args[i]);
            if (GlobalValueFlags.Contains(name))
            {
                globals[name] = inline ?? (i + 1 < args.Length ? args[++i] : throw new UsageException($"flag needs an argument: {name}"));
            }
            else if (GlobalSwitches.Contains(name))
            {
                globals[name] = inline ?? "true";
            }
            else if (name is "--version" or "-v" or "--help" or "-h")
            {
                globals[name] = "true";
            }
            else
            {
                throw new UsageException($"flag provided but not defined: {args[i]}");
            }

            i++;
        }

        CommandLine line = new(i < args.Length ? args[i++] : string.Empty);
        foreach (KeyValuePair<string, string?> pair in globals)
        {
            line.Globals[pair.Key] = pair.Value;
        }

        (IReadOnlySet<string> values, IReadOnlySet<string> switches) = verbFlags(line.Verb);
        bool onlyPositional = false;
        for (; i < args.Length; i++)
        {
            string arg = args[i];
            if (onlyPositional || !arg.StartsWith('-') || arg == "-")
            {
                line.Arguments.Add(arg);
                onlyPositional |= FlagsEndAtFirstArgument.Contains(line.Verb);
                continue;
            }

            if (arg == "--")
            {
                onlyPositional = true;
                continue;
            }

            (string name, string? inline) = Split(arg);
            if (values.Contains(name))
            {
                string value = inline ?? (i + 1 < args.Length ? args[++i] : throw new UsageException($"flag needs an argument: {name}"));
                line._options[name] = value;
                line._values.Add(new(name, value));
            }
            else if (switches.Contains(name))
            {
                line._options[name] = inline ?? "true";
            }
            else
            {
                throw new UsageException($"flag provided but not defined: {arg}");
            }
        }

        return line;
    }

    /// <summary>The value of a verb option, or <see langword="null"/>.</summary>
    public string? Option(string name) => _options.TryGetValue(name, out string? value) ? value : null;

    /// <summary>Every value of a repeatable option (runc's string-slice flags such as <c>--env</c>), in order, under any of <paramref name="names"/>.</summary>
    public IReadOnlyList<string> Options(params string[] names) => [.. _values.Where(v => names.Contains(v.Key, StringComparer.Ordinal)).Select(v => v.Value)];

    /// <summary>True when a switch is given (and not <c>=false</c>).</summary>
    public bool Switch(string name) => _options.TryGetValue(name, out string? value) && value is not "false";

    /// <summary>An integer option.</summary>
    /// <exception cref="UsageException">The value is not a non-negative integer.</exception>
    public int IntOption(string name, int fallback)
    {
        string? value = Option(name);
        if (value is null)
        {
            return fallback;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result)
            ? result
            : throw new UsageException($"invalid value \"{value}\" for flag {name}");
    }

    private static (string Name, string? Value) Split(string arg)
    {
        int eq = arg.IndexOf('=', StringComparison.Ordinal);
        string name = eq < 0 ? arg : arg[..eq];
        string? value = eq < 0 ? null : arg[(eq + 1)..];
        if (Aliases.TryGetValue(name, out string? full))
        {
            name = full;
        }

        return (name, value);
    }
}
