namespace Containers;

/// <summary>
/// Another writer holds the resource (an ingest ref, a container's state directory). The operation
/// may succeed later; nothing was changed.
/// </summary>
public sealed class ResourceLockedException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="resource">The resource that is locked, for example an ingest ref.</param>
    public ResourceLockedException(string resource)
        : base($"\"{resource}\" is locked by another writer")
    {
        Resource = resource;
    }

    /// <summary>The resource that is locked.</summary>
    public string Resource { get; }
}
