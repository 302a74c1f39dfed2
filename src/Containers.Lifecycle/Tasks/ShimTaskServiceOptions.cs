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
    /// The default runc-compatible runtime binary (runc, crun…), driven through its command line;
    /// <see langword="null"/> runs containers with the shim's own runcs engine inside the shim process (no
    /// runtime process per call — naming the runcs binary here drives it through its command line instead).
    /// A task can name another in its options (<c>{"binaryName": "/usr/bin/crun"}</c>), and join a shared
    /// shim with <c>{"shimGroup": "name"}</c> (<see cref="ShimTaskService.ShimGroupOption"/>).
    /// </summary>
    public string? Runtime { get; set; }
}
