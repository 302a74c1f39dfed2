using System.Text;
using System.Text.RegularExpressions;

namespace Containers.Filters;

/// <summary>Recursive-descent parser for one filter string; see <see cref="Filter"/> for the grammar.</summary>
internal ref struct FilterParser
{
    private readonly string _text;
    private int _pos;

    private FilterParser(string text)
    {
        _text = text;
        _pos = 0;
    }

    public static IReadOnlyList<FilterSelector> Parse(string text)
    {
        var parser = new FilterParser(text);
        return parser.ParseSelectors();
    }

    private List<FilterSelector> ParseSelectors()
    {
        var selectors = new List<FilterSelector> { ParseSelector() };
        while (true)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                return selectors;
            }

            if (_text[_pos] != ',')
            {
                throw Error("expected ',' or the end of the filter");
            }

            _pos++;
            selectors.Add(ParseSelector());
        }
    }

    private readonly bool AtEnd => _pos >= _text.Length;

    private FilterSelector ParseSelector()
    {
        var path = new List<string> { ParseField() };
        SkipWhitespace();
        while (!AtEnd && _text[_pos] == '.')
        {
            _pos++;
            path.Add(ParseField());
            SkipWhitespace();
        }

        if (AtEnd || _text[_pos] == ',')
        {
            return new FilterSelector(path, FilterOperator.Present, string.Empty, null);
        }

        var op = ParseOperator();
        var valueStart = _pos;
        var value = ParseValue(op == FilterOperator.Matches);
        Regex? regex = null;
        if (op == FilterOperator.Matches)
        {
            try
            {
                // NonBacktracking guarantees time linear in the input, whatever the pattern.
                regex = new Regex(value, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidFilterException(_text, valueStart, "invalid regular expression: " + ex.Message, ex);
            }
            catch (NotSupportedException ex)
            {
                throw new InvalidFilterException(_text, valueStart, "unsupported regular expression: " + ex.Message, ex);
            }
        }

        return new FilterSelector(path, op, value, regex);
    }

    private string ParseField()
    {
        SkipWhitespace();
        if (AtEnd)
        {
            throw Error("expected a field name or a quoted string");
        }

        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            return ParseQuoted(c, regexDelimiter: false);
        }

        var start = _pos;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw Error("expected a field name or a quoted string");
        }

        return _text[start.._pos];
    }

    private FilterOperator ParseOperator()
    {
        if (_pos + 1 < _text.Length && _text[_pos + 1] == '=')
        {
            var op = _text[_pos] switch
            {
                '=' => FilterOperator.Equal,
                '!' => FilterOperator.NotEqual,
                '~' => FilterOperator.Matches,
                _ => (FilterOperator?)null,
            };
            if (op is { } found)
            {
                _pos += 2;
                return found;
            }
        }

        throw Error("expected an operator (\"==\", \"!=\" or \"~=\")");
    }

    private string ParseValue(bool regex)
    {
        SkipWhitespace();
        if (AtEnd)
        {
            throw Error("expected a value");
        }

        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            return ParseQuoted(c, regexDelimiter: false);
        }

        var start = _pos;
        while (!AtEnd && _text[_pos] != ',' && !char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }

        var token = _text[start.._pos];
        if (token.Length == 0)
        {
            throw Error("expected a value");
        }

        // After ~= a value written /…/ or |…| is delimited; "/tasks/.*" is not (its interior has
        // an unescaped '/'), so topic paths can be written bare, as users expect.
        if (regex && token.Length >= 2 && token[0] is '/' or '|' && token[^1] == token[0] && IsDelimited(token))
        {
            var saved = _pos;
            _pos = start;
            var unquoted = ParseQuoted(token[0], regexDelimiter: true);
            _pos = saved;
            return unquoted;
        }

        return token;
    }

    private static bool IsDelimited(string token)
    {
        var delimiter = token[0];
        for (var i = 1; i < token.Length - 1; i++)
        {
            if (token[i] == '\\')
            {
                i++;
            }
            else if (token[i] == delimiter)
            {
                return false;
            }
        }

        // A trailing "\/" escapes the last delimiter, so the token is not closed.
        var backslashes = 0;
        for (var i = token.Length - 2; i > 0 && token[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 0;
    }

    private string ParseQuoted(char quote, bool regexDelimiter)
    {
        var start = _pos;
        _pos++;
        var builder = new StringBuilder();
        while (!AtEnd)
        {
            var c = _text[_pos++];
            if (c == quote)
            {
                return builder.ToString();
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (AtEnd)
            {
                break;
            }

            var escaped = _text[_pos++];
            if (regexDelimiter)
            {
                // Inside /…/ only the delimiter is an escape; everything else is the regex's own.
                if (escaped != quote)
                {
                    builder.Append('\\');
                }

                builder.Append(escaped);
                continue;
            }

            builder.Append(escaped switch
            {
                '\\' or '"' or '\'' or '/' or '|' => escaped,
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                _ => throw new InvalidFilterException(_text, _pos - 2, $"unknown escape \\{escaped}"),
            });
        }

        throw new InvalidFilterException(_text, start, "unterminated quoted string");
    }

    private void SkipWhitespace()
    {
        while (!AtEnd && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private readonly InvalidFilterException Error(string problem) => new(_text, _pos, problem);
}
