namespace Containers.Lifecycle.Tasks;

/// <summary>Where <see cref="ShimTaskService"/> keeps shims, and which binaries it runs.</summary>
public sealed class ShimTaskServiceOptions
{
    /// <summary>The state root (volatile); shims live in <c>&lt;StateDirectory&gt;/shims/&lt;key&gt;</c>, each 0700.</summary>
    public string StateDirectory { get; set; } = "/run/containers-dotnet";

    /// <summary>The runcs binary, started as <c>runcs shim</c>.</summary>
    public string ShimPath { get; set; } = "runcs";

    /// <summary>The containers' namespace; the same id in two namespaces gets two shims.</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>
    /// The default runc-compatible runtime binary (runc, crun…); <see langword="null"/> runs containers with
    /// the shim's own runcs. A task can name another in its options (<c>{"binaryName": "/usr/bin/crun"}</c>).
    /// </summary>
    public string? Runtime { get; set; }
}
