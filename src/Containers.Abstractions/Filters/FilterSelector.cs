using System.Text.RegularExpressions;

namespace Containers.Filters;

/// <summary>One <c>fieldpath op value</c> term of a <see cref="Filter"/>.</summary>
public sealed class FilterSelector
{
    private readonly Regex? _regex;

    internal FilterSelector(IReadOnlyList<string> fieldPath, FilterOperator op, string value, Regex? regex)
    {
        FieldPath = fieldPath;
        Operator = op;
        Value = value;
        _regex = regex;
    }

    /// <summary>The field path, for example <c>["labels", "io.example/x"]</c> for <c>labels."io.example/x"</c>.</summary>
    public IReadOnlyList<string> FieldPath { get; }

    /// <summary>The comparison.</summary>
    public FilterOperator Operator { get; }

    /// <summary>The unquoted value; empty for <see cref="FilterOperator.Present"/>.</summary>
    public string Value { get; }

    /// <summary>Evaluates the selector against an object seen through <paramref name="adaptor"/>.</summary>
    /// <param name="adaptor">Returns the value of a field path and whether the object has that field.</param>
    /// <returns>Whether the object satisfies this selector.</returns>
    public bool Matches(Func<IReadOnlyList<string>, (string Value, bool Present)> adaptor)
    {
        ArgumentNullException.ThrowIfNull(adaptor);
        var (value, present) = adaptor(FieldPath);
        value ??= string.Empty;
        return Operator switch
        {
            FilterOperator.Present => present,
            FilterOperator.Equal => present && string.Equals(value, Value, StringComparison.Ordinal),
            FilterOperator.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
            FilterOperator.Matches => _regex!.IsMatch(value),
            _ => false,
        };
    }

    /// <summary>The selector in filter syntax, with the value quoted.</summary>
    public override string ToString()
    {
        var path = string.Join('.', FieldPath.Select(QuoteFieldIfNeeded));
        return Operator switch
        {
            FilterOperator.Present => path,
            FilterOperator.Equal => path + "==" + Quote(Value),
            FilterOperator.NotEqual => path + "!=" + Quote(Value),
            _ => path + "~=" + Quote(Value),
        };
    }

    private static string QuoteFieldIfNeeded(string field) =>
        field.Length > 0 && field.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && char.IsAsciiLetter(field[0]) ? field : Quote(field);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
