namespace Containers;

/// <summary>An object with the same key exists already (a container id, an image name, a committed blob…).</summary>
public sealed class AlreadyExistsException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What kind of object, for example <c>"container"</c>.</param>
    /// <param name="name">The key that is taken.</param>
    public AlreadyExistsException(string kind, string name)
        : base($"{kind} \"{name}\" already exists")
    {
        Kind = kind;
        Name = name;
    }

    /// <summary>What kind of object, for example <c>"snapshot"</c>.</summary>
    public string Kind { get; }

    /// <summary>The key that is taken.</summary>
    public string Name { get; }
}
