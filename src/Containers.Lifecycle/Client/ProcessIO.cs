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

    /// <summary>Receives the process's stderr (written from a copying thread); <see langword="null"/> discards it. Excluded by <see cref="Terminal"/>.</summary>
    public Stream? Stderr { get; init; }

    /// <summary>
    /// Makes stdio FIFOs (stdin, stdout and, without a terminal, stderr) and connects nothing to them, as
    /// <c>ctr run -d</c> does: output waits in the FIFOs until <see cref="TaskProcess.AttachAsync"/> —
    /// from this or another host process — connects streams. Nothing is dropped: once a FIFO (64 KiB)
    /// and what the shim holds back for it (64 KiB more) are full, the process blocks in its writes until
    /// a reader drains the FIFO (back-pressure, as containerd's shim). Excludes <see cref="Stdin"/>, <see cref="Stdout"/>, <see cref="Stderr"/> and <see cref="LogFile"/>.
    /// </summary>
    public bool Unattached { get; init; }

    /// <summary>
    /// Runs the process on a pseudo-terminal, as <c>ctr run -t</c>: the shim holds the pty master,
    /// <see cref="Stdout"/> receives what the terminal shows (stdout and stderr merged, line endings
    /// as CRLF, input echoed), <see cref="Stdin"/> is typed into it, and
    /// <see cref="TaskProcess.ResizeAsync"/> sets its size. The process spec must agree: a task's
    /// container needs <c>SpecOptions.WithTty()</c> (process.terminal), an exec is given it.
    /// </summary>
    public bool Terminal { get; init; }

    /// <summary>
    /// A log file (absolute path) the shim appends stdout and stderr to instead: output is kept while no
    /// host is attached, for example across a restart of the application. Excludes <see cref="Stdout"/>
    /// and <see cref="Stderr"/>.
    /// </summary>
    public string? LogFile { get; init; }
}
