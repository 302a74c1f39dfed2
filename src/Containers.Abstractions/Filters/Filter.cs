namespace Containers.Filters;

/// <summary>
/// A parsed containerd-style filter: alternatives (any may match) of selectors (all must match), for
/// example <c>labels."env"==prod,name~=^web</c>. Used by the <c>List</c> and <c>Walk</c> methods of the
/// stores and by event subscriptions.
/// </summary>
/// <remarks>
/// Grammar of one filter string: <c>selector (',' selector)*</c>; <c>selector := fieldpath [op value]</c>;
/// <c>fieldpath := field ('.' field)*</c>; <c>field := [A-Za-z_][A-Za-z0-9_]* | quoted</c>;
/// <c>op := '==' | '!=' | '~='</c>; <c>value := quoted | [^\s,]+</c>. A quoted string uses double or
/// single quotes with backslash escapes; after <c>~=</c> it may also be delimited by <c>/…/</c> or <c>|…|</c>.
/// Regular expressions run with <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>,
/// so a hostile pattern cannot take super-linear time (containerd's Go regexps have the same property).
/// </remarks>
public sealed class Filter
{
    private Filter(IReadOnlyList<IReadOnlyList<FilterSelector>> alternatives) => Alternatives = alternatives;

    /// <summary>A filter that matches everything (no alternatives).</summary>
    public static Filter Always { get; } = new([]);

    /// <summary>
    /// The alternatives: the filter matches an object when every selector of at least one alternative
    /// matches it. Empty for <see cref="Always"/>.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<FilterSelector>> Alternatives { get; }

    /// <summary>Whether this filter matches everything.</summary>
    public bool MatchesEverything => Alternatives.Count == 0;

    /// <summary>Parses one filter string whose comma-separated selectors must all match.</summary>
    /// <param name="filter">The filter text; empty or whitespace matches everything.</param>
    /// <exception cref="InvalidFilterException">The text is not valid filter syntax or holds a bad regular expression.</exception>
    public static Filter Parse(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return string.IsNullOrWhiteSpace(filter) ? Always : new Filter([FilterParser.Parse(filter)]);
    }

    /// <summary>Parses several filter strings of which any may match (containerd's <c>ParseAll</c>).</summary>
    /// <param name="filters">The filter strings; none, or any empty one, matches everything.</param>
    /// <exception cref="InvalidFilterException">A string is not valid filter syntax.</exception>
    public static Filter ParseAll(IEnumerable<string>? filters)
    {
        if (filters is null)
        {
            return Always;
        }

        var alternatives = new List<IReadOnlyList<FilterSelector>>();
        foreach (var text in filters)
        {
            ArgumentNullException.ThrowIfNull(text, nameof(filters));
            if (string.IsNullOrWhiteSpace(text))
            {
                // An empty alternative matches everything, so the whole disjunction does.
                return Always;
            }

            alternatives.Add(FilterParser.Parse(text));
        }

        return alternatives.Count == 0 ? Always : new Filter(alternatives);
    }

    /// <summary>Evaluates the filter against an object seen through <paramref name="adaptor"/>.</summary>
    /// <param name="adaptor">
    /// Returns the value at a field path (for example <c>["labels", "env"]</c>) and whether the object has it.
    /// </param>
    /// <returns>Whether the object matches.</returns>
    public bool Matches(Func<IReadOnlyList<string>, (string Value, bool Present)> adaptor)
    {
        ArgumentNullException.ThrowIfNull(adaptor);
        if (MatchesEverything)
        {
            return true;
        }

        foreach (var alternative in Alternatives)
        {
            if (alternative.All(selector => selector.Matches(adaptor)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The filter in filter syntax; alternatives are separated by <c> | </c> for display only.</summary>
    public override string ToString() =>
        string.Join(" | ", Alternatives.Select(a => string.Join(',', a.Select(s => s.ToString()))));
}
