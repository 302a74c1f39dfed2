using System.Globalization;
using System.Text;
using Containers.Diff;
using Containers.Linux;
using Containers.Linux.Supervision;
using Containers.Snapshots.Mounting;
using Microsoft.Win32.SafeHandles;

namespace Containers.Lifecycle.Mounting;

/// <summary>
/// User namespaces for id-mapped layers without cloning in the host (DESIGN §2): posix_spawn of
/// <c>runcs userns-hold --uid-map … --gid-map …</c>, whose held child is in a new user namespace with those maps;
/// the host opens <c>/proc/&lt;pid&gt;/ns/user</c> while the holder waits on the stdin pipe, then closes the pipe, so
/// the holder and runcs exit (they also exit if the host dies) and the open descriptor keeps the namespace.
/// </summary>
public sealed class RuncsUserNamespaceProvider : IUserNamespaceProvider
{
    private readonly string _runcsPath;

    /// <summary>Creates a provider that starts <paramref name="runcsPath"/>.</summary>
    /// <param name="runcsPath">The runcs executable.</param>
    public RuncsUserNamespaceProvider(string runcsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(runcsPath);
        _runcsPath = runcsPath;
    }

    /// <inheritdoc/>
    /// <exception cref="IOException">runcs could not be started, or failed (its message and exit status in the text).</exception>
    public SafeFileHandle OpenUserNamespace(IReadOnlyList<IdMapRange> uids, IReadOnlyList<IdMapRange> gids)
    {
        ArgumentNullException.ThrowIfNull(uids);
        ArgumentNullException.ThrowIfNull(gids);
        (SafeFdHandle stdinRead, SafeFdHandle stdinWrite) = global::Interop.CreatePipe();
        (SafeFdHandle stdoutRead, SafeFdHandle stdoutWrite) = global::Interop.CreatePipe();
        (SafeFdHandle stderrRead, SafeFdHandle stderrWrite) = global::Interop.CreatePipe();
        int pid;
        try
        {
            string[] argv = [_runcsPath, "userns-hold", "--uid-map", IdMapRangeText.Format(uids), "--gid-map", IdMapRangeText.Format(gids)];
            pid = ProcessSpawner.Spawn(_runcsPath, argv, [stdinRead.Fd, stdoutWrite.Fd, stderrWrite.Fd]);
        }
        catch (LinuxErrorException ex)
        {
            Dispose(stdinRead, stdinWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite);
            throw new IOException($"cannot start {_runcsPath} userns-hold: {ex.Message}", ex);
        }

        Dispose(stdinRead, stdoutWrite, stderrWrite);
        try
        {
            string line = ReadAll(stdoutRead, stopAtNewline: true);
            if (!int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int holder) || holder <= 0)
            {
                stdinWrite.Dispose();
                string error = ReadAll(stderrRead, stopAtNewline: false).Trim();
                int status = global::Interop.ExitCodeOf(global::Interop.WaitForChild(pid));
                pid = 0;
                throw new IOException($"{_runcsPath} userns-hold failed (exit {status}): {error}");
            }

            // The holder lives until stdin closes, so its pid cannot have been reused yet.
            SafeFileHandle userNamespace = File.OpenHandle($"/proc/{holder.ToString(CultureInfo.InvariantCulture)}/ns/user", FileMode.Open, FileAccess.Read);
            return userNamespace;
        }
        finally
        {
            Dispose(stdinWrite, stdoutRead, stderrRead);
            if (pid > 0)
            {
                _ = global::Interop.WaitForChild(pid);
            }
        }
    }

    private static string ReadAll(SafeFdHandle fd, bool stopAtNewline)
    {
        using FileStream stream = new(new SafeFileHandle(fd.Fd, ownsHandle: false), FileAccess.Read, 1);
        StringBuilder text = new();
        byte[] buffer = new byte[256];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            if (stopAtNewline && text.ToString().Contains('\n', StringComparison.Ordinal))
            {
                break;
            }
        }

        return text.ToString();
    }

    private static void Dispose(params SafeFdHandle[] handles)
    {
        foreach (SafeFdHandle handle in handles)
        {
            handle.Dispose();
        }
    }
}
