namespace Containers.Filters;

/// <summary>How a <see cref="FilterSelector"/> compares a field with its value.</summary>
public enum FilterOperator
{
    /// <summary>No operator: the field must be present (<c>labels."gc.root"</c>).</summary>
    Present,

    /// <summary><c>==</c>: the field is present and equal to the value.</summary>
    Equal,

    /// <summary><c>!=</c>: the field differs from the value (an absent field counts as empty).</summary>
    NotEqual,

    /// <summary><c>~=</c>: the field matches the value as an unanchored regular expression.</summary>
    Matches,
}
