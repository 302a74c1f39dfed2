namespace Containers.Registry.Auth;

/// <summary>Derives the token scope a registry request needs from its method and path.</summary>
internal static class RepositoryScope
{
    /// <summary>
    /// <c>repository:NAME:pull</c> for reads of <c>/v2/NAME/{manifests,blobs,tags,referrers}/…</c>,
    /// <c>repository:NAME:pull,push</c> for writes; null for requests outside a repository (<c>/v2/</c>).
    /// </summary>
    public static string? ForRequest(HttpMethod method, Uri uri)
    {
        string path = uri.AbsolutePath;
        if (!path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            return null;
        }

        string rest = path[4..];
        int end = -1;
        foreach (string marker in (ReadOnlySpan<string>)["/manifests/", "/blobs/", "/tags/", "/referrers/"])
        {
            int at = rest.LastIndexOf(marker, StringComparison.Ordinal);
            if (at > 0 && at > end)
            {
                end = at;
            }
        }

        if (end <= 0)
        {
            return null;
        }

        string name = rest[..end];
        bool read = method == HttpMethod.Get || method == HttpMethod.Head;
        return $"repository:{name}:{(read ? "pull" : "pull,push")}";
    }
}
