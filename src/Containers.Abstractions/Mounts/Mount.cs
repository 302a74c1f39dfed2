namespace Containers;

/// <summary>
/// A filesystem mount to perform, as a snapshotter hands it out and as a task's rootfs is described:
/// the arguments of <c>mount(8)</c> without the mount point, which the caller chooses.
/// </summary>
/// <param name="Type">The filesystem type, for example <c>overlay</c>, <c>bind</c> or <c>tmpfs</c>.</param>
/// <param name="Source">The device, directory or pseudo source, for example <c>overlay</c> or a snapshot directory.</param>
/// <param name="Options">
/// The mount options as <c>mount -o</c> takes them, for example <c>ro</c>, <c>rbind</c> or
/// <c>lowerdir=/a:/b</c>; order is kept because it matters for some filesystems.
/// </param>
public sealed record Mount(string Type, string Source, IReadOnlyList<string> Options)
{
    /// <summary>
    /// Where to mount, relative to the mount root the caller picks; <see langword="null"/> for the root
    /// itself. Lets one snapshot describe several mounts stacked under one root.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>Whether <see cref="Options"/> holds <c>ro</c>.</summary>
    public bool IsReadOnly => Options.Contains("ro");

    /// <summary>Compares type, source, target and options element by element.</summary>
    public bool Equals(Mount? other) =>
        other is not null
        && string.Equals(Type, other.Type, StringComparison.Ordinal)
        && string.Equals(Source, other.Source, StringComparison.Ordinal)
        && string.Equals(Target, other.Target, StringComparison.Ordinal)
        && Options.SequenceEqual(other.Options, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, Source, Target, Options.Count);
}
