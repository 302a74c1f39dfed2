namespace Containers.Metadata;

/// <summary>containerd's label rules: non-empty keys, key and value together within 4096 characters.</summary>
internal static class LabelValidator
{
    /// <summary>containerd's bound on one label (key and value together).</summary>
    public const int MaxLabelLength = 4096;

    /// <exception cref="InvalidSpecException">A label is invalid; the field names it.</exception>
    public static void Validate(IReadOnlyDictionary<string, string>? labels, string field)
    {
        if (labels is null)
        {
            return;
        }

        foreach ((string key, string value) in labels)
        {
            if (key.Length == 0)
            {
                throw new InvalidSpecException(field, "a label key must not be empty");
            }

            if (key.Length + (value?.Length ?? 0) > MaxLabelLength)
            {
                throw new InvalidSpecException($"{field}.{key[..Math.Min(key.Length, 64)]}", $"label exceeds {MaxLabelLength} characters (key and value together)");
            }
        }
    }
}
