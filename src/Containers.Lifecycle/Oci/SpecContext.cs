namespace Containers.Oci;

/// <summary>What spec options may need besides the spec: the container's identity and its rootfs.</summary>
/// <param name="Namespace">The namespace, used in the default cgroups path (<c>/&lt;namespace&gt;/&lt;id&gt;</c>) as containerd does.</param>
/// <param name="ContainerId">The container id.</param>
public sealed record SpecContext(string Namespace, string ContainerId)
{
    /// <summary>
    /// The host path of the container's root filesystem (the unpacked image), read for user and group
    /// names; <see langword="null"/> when names cannot be looked up (numeric ids still work).
    /// </summary>
    public string? RootfsPath { get; init; }

    /// <summary>
    /// Reads a file of the rootfs by its absolute container path (null when absent) instead of
    /// <see cref="RootfsPath"/>: the facade serves the user and group files of an image it read before
    /// (committed snapshots do not change), so a create need not mount the rootfs for them.
    /// </summary>
    internal Func<string, CancellationToken, ValueTask<string?>>? FileReader { get; init; }
}
