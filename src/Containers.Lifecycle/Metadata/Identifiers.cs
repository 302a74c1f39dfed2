namespace Containers.Metadata;

/// <summary>
/// Validates identifiers (container ids, lease ids, namespaces) with containerd's rule
/// (<c>identifiers.Validate</c>): 1 to 76 characters, alphanumeric runs joined by single '.', '_' or '-'.
/// </summary>
public static class Identifiers
{
    /// <summary>containerd's maximum identifier length.</summary>
    public const int MaxLength = 76;

    /// <summary>Checks an identifier.</summary>
    /// <param name="value">The identifier.</param>
    /// <param name="field">The field named in the error, for example <c>id</c>.</param>
    /// <exception cref="InvalidSpecException">The identifier is empty, too long or has a bad character.</exception>
    public static void Validate(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidSpecException(field, "identifier must not be empty");
        }

        if (value.Length > MaxLength)
        {
            throw new InvalidSpecException(field, $"identifier \"{value[..20]}…\" greater than maximum length ({MaxLength} characters)");
        }

        // ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$ without a regex: a separator must sit between two
        // alphanumerics, so it can neither start, end nor repeat.
        bool previousWasSeparator = true;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsAsciiLetterOrDigit(c))
            {
                previousWasSeparator = false;
            }
            else if ((c is '.' or '_' or '-') && !previousWasSeparator)
            {
                previousWasSeparator = true;
            }
            else
            {
                throw new InvalidSpecException(field, $"identifier \"{value}\" must match ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$ (bad character at {i})");
            }
        }

        if (previousWasSeparator)
        {
            throw new InvalidSpecException(field, $"identifier \"{value}\" must match ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$ (ends with a separator)");
        }
    }
}
