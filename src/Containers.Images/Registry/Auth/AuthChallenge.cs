using System.Text;

namespace Containers.Registry.Auth;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235): a scheme such as <c>Bearer</c> or
/// <c>Basic</c> and its auth-params (<c>realm</c>, <c>service</c>, <c>scope</c>…).
/// </summary>
public sealed class AuthChallenge
{
    private AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    /// <summary>The scheme, as sent (compare with <see cref="StringComparison.OrdinalIgnoreCase"/>).</summary>
    public string Scheme { get; }

    /// <summary>The auth-params, keys compared case-insensitively, quotes and escapes removed.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>True for the <c>Bearer</c> scheme (token authentication).</summary>
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the <c>Basic</c> scheme.</summary>
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>realm</c> parameter: for Bearer, the token service's URL.</summary>
    public string? Realm => Parameters.GetValueOrDefault("realm");

    /// <summary>The <c>service</c> parameter of a Bearer challenge.</summary>
    public string? Service => Parameters.GetValueOrDefault("service");

    /// <summary>The <c>scope</c> parameter of a Bearer challenge (space-separated scopes).</summary>
    public string? Scope => Parameters.GetValueOrDefault("scope");

    /// <summary>Parses every challenge in one or more <c>WWW-Authenticate</c> header values.</summary>
    /// <remarks>Malformed parts are skipped rather than thrown on: a registry's odd header must not
    /// hide a usable challenge next to it.</remarks>
    public static IReadOnlyList<AuthChallenge> Parse(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        List<AuthChallenge> challenges = [];
        foreach (string header in headerValues)
        {
            ParseHeader(header, challenges);
        }

        return challenges;
    }

    private static void ParseHeader(string header, List<AuthChallenge> challenges)
    {
        int i = 0;
        string? scheme = null;
        Dictionary<string, string> parameters = new(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSeparators(header, ref i);
            if (i >= header.Length)
            {
                break;
            }

            string token = ReadToken(header, ref i);
            if (token.Length == 0)
            {
                i++; // an unexpected character: skip it
                continue;
            }

            SkipSpaces(header, ref i);
            if (i < header.Length && header[i] == '=' && scheme is not null)
            {
                i++;
                SkipSpaces(header, ref i);
                parameters[token] = i < header.Length && header[i] == '"' ? ReadQuoted(header, ref i) : ReadToken(header, ref i);
                continue;
            }

            // A bare token starts a new challenge (the scheme); flush the previous one.
            if (scheme is not null)
            {
                challenges.Add(new AuthChallenge(scheme, parameters));
                parameters = new(StringComparer.OrdinalIgnoreCase);
            }

            scheme = token;
        }

        if (scheme is not null)
        {
            challenges.Add(new AuthChallenge(scheme, parameters));
        }
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static string ReadToken(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && IsTokenChar(s[i]))
        {
            i++;
        }

        return s[start..i];
    }

    private static string ReadQuoted(string s, ref int i)
    {
        StringBuilder value = new();
        i++; // opening quote
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
            }

            value.Append(s[i]);
            i++;
        }

        i++; // closing quote (or end)
        return value.ToString();
    }

    // RFC 7230 tchar, plus '/' so token68 values and unquoted URLs survive.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or '/' or ':';
}
