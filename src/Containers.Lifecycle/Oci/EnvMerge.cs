namespace Containers.Oci;

/// <summary>containerd's <c>replaceOrAppendEnvValues</c>: overrides replace same-key defaults in place, new keys append, a bare <c>KEY</c> removes it.</summary>
internal static class EnvMerge
{
    public static List<string> ReplaceOrAppend(IEnumerable<string> defaults, IEnumerable<string>? overrides)
    {
        var result = defaults.ToList();
        if (overrides is null)
        {
            return result;
        }

        foreach (string entry in overrides)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? entry : entry[..eq];
            int index = result.FindIndex(e => Key(e) == key);
            if (eq < 0)
            {
                // containerd: a value without '=' unsets the variable.
                result.RemoveAll(e => Key(e) == key);
            }
            else if (index >= 0)
            {
                result[index] = entry;
            }
            else
            {
                result.Add(entry);
            }
        }

        return result;
    }

    private static string Key(string entry)
    {
        int eq = entry.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? entry : entry[..eq];
    }
}
