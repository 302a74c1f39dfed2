namespace Containers.Client;

/// <summary>
/// Where a task's or exec'd process's standard streams go, on the host side. The client connects them
/// to the shim through FIFOs in the state directory and copies until the process's end of file.
/// </summary>
public sealed class ProcessIO
{
    /// <summary>No streams: stdin is empty, output is discarded.</summary>
    public static ProcessIO Null { get; } = new();

    /// <summary>Read until its end and fed to the process's stdin, which then sees end of file; <see langword="null"/> for none.</summary>
    public Stream? Stdin { get; init; }

    /// <summary>Receives the process's stdout (written from a copying thread); <see langword="null"/> discards it.</summary>
    public Stream? Stdout { get; init; }

    /// <summary>Receives the process's stderr (written from a copying thread); <see langword="null"/> discards it.</summary>
    public Stream? Stderr { get; init; }

    /// <summary>
    /// A log file (absolute path) the shim appends stdout and stderr to instead: output is kept while no
    /// host is attached, for example across a restart of the application. Excludes <see cref="Stdout"/>
    /// and <see cref="Stderr"/>.
    /// </summary>
    public string? LogFile { get; init; }
}
