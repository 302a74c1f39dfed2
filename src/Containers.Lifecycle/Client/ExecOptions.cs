namespace Containers.Client;

/// <summary>How an exec'd process differs from the container's own process (whose user, capabilities and limits it keeps).</summary>
public sealed class ExecOptions
{
    /// <summary>Environment entries (<c>NAME=value</c>) added to, or replacing those of, the container's process.</summary>
    public IList<string> Env { get; } = [];

    /// <summary>The working directory, or <see langword="null"/> for the container's.</summary>
    public string? Cwd { get; set; }
}
