using Containers.Oci;

namespace Containers.Client;

/// <summary>What a container is made of besides its image: arguments, spec options, runtime and labels.</summary>
public class ContainerOptions
{
    /// <summary>
    /// The process's argv, replacing the image's entrypoint and command (as <c>ctr run IMAGE ID ARGS…</c>
    /// does); <see langword="null"/> or empty keeps the image's.
    /// </summary>
    public IReadOnlyList<string>? Args { get; set; }

    /// <summary>
    /// Spec options (<see cref="SpecOptions"/>: <c>WithMemoryLimit</c>, <c>WithMounts</c>, <c>WithUser</c>,
    /// <c>WithEnv</c>, …), applied in order after the image's config and <see cref="Args"/>.
    /// </summary>
    public IList<SpecOption> Spec { get; } = [];

    /// <summary>
    /// A runc-compatible runtime binary (absolute path: runc, crun, youki…) the shim drives for this
    /// container; <see langword="null"/> for the configured default (runcs itself unless set otherwise).
    /// </summary>
    public string? Runtime { get; set; }

    /// <summary>The container's labels.</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
