using System.Text;
using System.Text.RegularExpressions;

namespace Containers.Content;

/// <summary>
/// A parsed filter in the subset of containerd's filter syntax that the content store needs:
/// conditions joined by <c>,</c>, all of which must hold. A condition is a field path alone
/// (the field is present) or followed by <c>==</c>, <c>!=</c> or <c>~=</c> (a regular expression)
/// and a value. Path segments are separated by <c>.</c> and may be double-quoted so that a label
/// key can contain dots; values may be double-quoted to contain <c>,</c>.
/// </summary>
internal sealed class ContentFilter
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private readonly List<Condition> _conditions;

    private ContentFilter(List<Condition> conditions) => _conditions = conditions;

    /// <summary>The filter that matches everything.</summary>
    public static ContentFilter All { get; } = new([]);

    /// <summary>Parses a filter; null or blank matches everything.</summary>
    /// <exception cref="ArgumentException">The filter is malformed.</exception>
    public static ContentFilter Parse(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return All;
        }

        var parser = new Parser(filter);
        var conditions = new List<Condition>();
        do
        {
            conditions.Add(parser.ParseCondition());
        }
        while (parser.TryConsume(','));

        parser.ExpectEnd();
        return new ContentFilter(conditions);
    }

    /// <summary>
    /// Whether an object matches. <paramref name="lookup"/> maps a field path to its value, or to
    /// null when the object has no such field.
    /// </summary>
    public bool Matches(Func<IReadOnlyList<string>, string?> lookup)
    {
        foreach (Condition condition in _conditions)
        {
            string? actual = lookup(condition.Path);
            bool ok = condition.Operator switch
            {
                FilterOperator.Present => actual is not null,
                FilterOperator.Equal => actual is not null && string.Equals(actual, condition.Value, StringComparison.Ordinal),
                FilterOperator.NotEqual => !string.Equals(actual, condition.Value, StringComparison.Ordinal),
                _ => actual is not null && condition.Pattern!.IsMatch(actual),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Looks a field up in the usual content shapes: a top-level field or a label.</summary>
    public static string? LookupLabel(IReadOnlyList<string> path, IReadOnlyDictionary<string, string> labels) =>
        path.Count >= 2 && path[0] == "labels" && labels.TryGetValue(string.Join('.', path.Skip(1)), out string? value) ? value : null;

    private enum FilterOperator
    {
        Present,
        Equal,
        NotEqual,
        Matches,
    }

    private sealed record Condition(string[] Path, FilterOperator Operator, string Value, Regex? Pattern);

    private sealed class Parser(string text)
    {
        private int _position;

        public Condition ParseCondition()
        {
            var path = new List<string> { ParseSegment() };
            while (TryConsume('.'))
            {
                path.Add(ParseSegment());
            }

            SkipSpaces();
            FilterOperator op;
            if (TryConsume("=="))
            {
                op = FilterOperator.Equal;
            }
            else if (TryConsume("!="))
            {
                op = FilterOperator.NotEqual;
            }
            else if (TryConsume("~="))
            {
                op = FilterOperator.Matches;
            }
            else
            {
                return new Condition([.. path], FilterOperator.Present, string.Empty, null);
            }

            SkipSpaces();
            string value = ParseValue();
            Regex? pattern = null;
            if (op == FilterOperator.Matches)
            {
                try
                {
                    // Non-backtracking: the pattern may come from a caller we do not trust.
                    pattern = new Regex(value, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, RegexTimeout);
                }
                catch (ArgumentException e)
                {
                    throw new ArgumentException($"filter \"{text}\": bad regular expression \"{value}\": {e.Message}", nameof(text), e);
                }
            }

            return new Condition([.. path], op, value, pattern);
        }

        public bool TryConsume(char c)
        {
            SkipSpaces();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        public void ExpectEnd()
        {
            SkipSpaces();
            if (_position != text.Length)
            {
                throw Error($"unexpected \"{text[_position]}\"");
            }
        }

        private bool TryConsume(string token)
        {
            if (string.CompareOrdinal(text, _position, token, 0, token.Length) == 0)
            {
                _position += token.Length;
                return true;
            }

            return false;
        }

        private string ParseSegment()
        {
            SkipSpaces();
            if (_position < text.Length && text[_position] == '"')
            {
                return ParseQuoted();
            }

            int start = _position;
            while (_position < text.Length && !IsSegmentEnd(text[_position]))
            {
                _position++;
            }

            return _position > start ? text[start.._position] : throw Error("expected a field name");
        }

        private string ParseValue()
        {
            if (_position < text.Length && text[_position] == '"')
            {
                return ParseQuoted();
            }

            int start = _position;
            while (_position < text.Length && text[_position] != ',')
            {
                _position++;
            }

            string value = text[start.._position].TrimEnd();
            return value.Length > 0 ? value : throw Error("expected a value");
        }

        private string ParseQuoted()
        {
            var builder = new StringBuilder();
            _position++;
            while (_position < text.Length)
            {
                char c = text[_position++];
                if (c == '"')
                {
                    return builder.ToString();
                }

                if (c == '\\' && _position < text.Length)
                {
                    c = text[_position++];
                }

                builder.Append(c);
            }

            throw Error("unterminated quoted string");
        }

        private void SkipSpaces()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private static bool IsSegmentEnd(char c) => c is '.' or ',' or '=' or '!' or '~' or '"' || char.IsWhiteSpace(c);

        private ArgumentException Error(string problem) =>
            new($"filter \"{text}\" at {_position}: {problem}", nameof(text));
    }
}
