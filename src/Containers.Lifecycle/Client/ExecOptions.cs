using Containers.Oci.Runtime;

namespace Containers.Client;

/// <summary>How an exec'd process differs from the container's own process (whose user, capabilities and limits it keeps).</summary>
public sealed class ExecOptions
{
    /// <summary>Environment entries (<c>NAME=value</c>) added to, or replacing those of, the container's process.</summary>
    public IList<string> Env { get; } = [];

    /// <summary>The working directory, or <see langword="null"/> for the container's.</summary>
    public string? Cwd { get; set; }

    /// <summary>
    /// The initial size of an exec's terminal (process.consoleSize, set by the runtime before the process
    /// runs, so it never sees a 0×0 terminal); used only with <see cref="ProcessIO.Terminal"/>.
    /// <see cref="TaskProcess.ResizeAsync"/> changes it later.
    /// </summary>
    public ConsoleSize? ConsoleSize { get; set; }
}
