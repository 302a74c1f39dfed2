using System.Globalization;

namespace Containers.Runc.Commands;

/// <summary>
/// systemd socket activation, as runc passes it on: when LISTEN_PID names runcs itself, the LISTEN_FDS descriptors
/// from 3 go to the container first (before any --preserve-fds), which gets LISTEN_FDS=n and LISTEN_PID=1.
/// </summary>
internal static class SocketActivation
{
    /// <summary>How many descriptors systemd passed to this process (0 when none, or when they were meant for another).</summary>
    public static int ListenFds()
    {
        string? pid = Environment.GetEnvironmentVariable("LISTEN_PID");
        string? fds = Environment.GetEnvironmentVariable("LISTEN_FDS");
        return pid is not null && fds is not null
            && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out int listenPid) && listenPid == Environment.ProcessId
            && int.TryParse(fds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) ? count : 0;
    }

    /// <summary>The container's environment with the activation variables appended, as runc does.</summary>
    public static IReadOnlyList<string> WithVariables(IReadOnlyList<string> env, int listenFds)
        => listenFds == 0 ? env : [.. env, string.Create(CultureInfo.InvariantCulture, $"LISTEN_FDS={listenFds}"), "LISTEN_PID=1"];
}
