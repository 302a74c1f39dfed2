namespace Containers.Snapshots.Apply;

/// <summary>Lexical handling of tar entry names, before anything touches the file system.</summary>
internal static class LayerPath
{
    /// <summary>
    /// Cleans a tar name as a path rooted at the layer root: empty and <c>.</c> components are
    /// dropped, <c>..</c> removes the previous component and stays at the root when there is none
    /// (as <c>filepath.Clean("/" + name)</c> does in containerd, and as RESOLVE_IN_ROOT does for
    /// symlinks), and a leading <c>/</c> is ignored. Returns <c>""</c> for the root itself.
    /// </summary>
    public static string Clean(string name)
    {
        if (IsAlreadyClean(name))
        {
            return name;
        }

        var parts = new List<string>();
        foreach (string part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    /// <summary>Splits a cleaned path into its parent (<c>""</c> for the root) and last component.</summary>
    public static (string Parent, string Name) Split(string cleaned)
    {
        int slash = cleaned.LastIndexOf('/');
        return slash < 0 ? (string.Empty, cleaned) : (cleaned[..slash], cleaned[(slash + 1)..]);
    }

    /// <summary>Joins a cleaned parent and a single component.</summary>
    public static string Join(string parent, string name) => parent.Length == 0 ? name : parent + "/" + name;

    // The fast path: most layer names are already clean ("usr/bin/env"), and allocating a
    // list per entry is measurable on layers with hundreds of thousands of entries.
    private static bool IsAlreadyClean(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name[^1] == '/')
        {
            return false;
        }

        int start = 0;
        while (start <= name.Length)
        {
            int end = name.IndexOf('/', start);
            if (end < 0)
            {
                end = name.Length;
            }

            ReadOnlySpan<char> part = name.AsSpan(start, end - start);
            if (part.Length == 0 || part is "." || part is "..")
            {
                return false;
            }

            start = end + 1;
        }

        return true;
    }
}
