namespace Containers;

/// <summary>A named object (blob, image, snapshot, container, task, lease…) does not exist.</summary>
public sealed class NotFoundException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What kind of object was looked up, for example <c>"container"</c>.</param>
    /// <param name="name">The key that was not found.</param>
    public NotFoundException(string kind, string name)
        : base($"{kind} \"{name}\" not found")
    {
        Kind = kind;
        Name = name;
    }

    /// <summary>What kind of object was looked up, for example <c>"blob"</c> or <c>"container"</c>.</summary>
    public string Kind { get; }

    /// <summary>The key that was not found.</summary>
    public string Name { get; }
}
