namespace Containers.Client;

/// <summary>What <see cref="ContainerClient.RunAsync(Containers.Images.Image, IReadOnlyList{string}, RunOptions?, CancellationToken)"/> takes besides the container's options.</summary>
public sealed class RunOptions : ContainerOptions
{
    /// <summary>The container id; a random <c>run-…</c> id when <see langword="null"/>.</summary>
    public string? Id { get; set; }

    /// <summary>Fed to the process's stdin (end of file after it); <see langword="null"/> for an empty stdin.</summary>
    public Stream? Stdin { get; set; }

    /// <summary>
    /// Receives the process's stdout as it is written (from a copying thread) instead of
    /// <see cref="RunResult.Stdout"/>, which is then empty; <see langword="null"/> (the default) buffers it.
    /// </summary>
    public Stream? Stdout { get; set; }

    /// <summary>Receives the process's stderr as it is written instead of <see cref="RunResult.Stderr"/>; <see langword="null"/> buffers it.</summary>
    public Stream? Stderr { get; set; }

    /// <summary>
    /// Runs the process on a pseudo-terminal, as <c>ctr run -t</c>: the spec gets <c>process.terminal</c>
    /// (<c>SpecOptions.WithTty()</c>) and the task <see cref="ProcessIO.Terminal"/>. Its output (stdout and
    /// stderr merged, CRLF line endings) is <see cref="RunResult.Stdout"/> or goes to <see cref="Stdout"/>;
    /// <see cref="Stdin"/> is typed into it. Excludes <see cref="Stderr"/>. Default <see langword="false"/>.
    /// </summary>
    public bool Terminal { get; set; }
}
