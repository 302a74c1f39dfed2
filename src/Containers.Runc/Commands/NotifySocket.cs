using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Containers.Linux;
using Containers.Oci.Runtime;

namespace Containers.Runc.Commands;

/// <summary>
/// runc's sd_notify proxy for <c>create</c>/<c>run</c> when NOTIFY_SOCKET is set (a systemd service running the
/// runtime): the container gets its own datagram socket, <c>&lt;state dir&gt;/notify/notify.sock</c> bind-mounted
/// read-only at /run/notify with NOTIFY_SOCKET=/run/notify/notify.sock in its environment; once the container sends
/// READY=… there, the runtime passes that line and MAINPID=&lt;pid&gt; on to the host's NOTIFY_SOCKET. <c>run -d</c> and
/// <c>start</c> wait for it (MAINPID is the container's init), a foreground <c>run</c> forwards it while it waits
/// for the container (MAINPID is runcs, as runc reports itself). exec does nothing with NOTIFY_SOCKET, as runc.
/// </summary>
internal sealed class NotifySocket : IDisposable
{
    /// <summary>Where the socket's directory appears in the container (runc's path).</summary>
    public const string ContainerDirectory = "/run/notify";

    private const string SocketName = "notify.sock";
    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101; // 0755, as runc's
    private const UnixFileMode SocketMode = (UnixFileMode)0b111_111_111;    // 0777: any container user may notify
    private readonly string _host;
    private readonly string _directory;
    private SafeFdHandle? _socket;

    private NotifySocket(string host, string directory)
    {
        _host = host;
        _directory = directory;
    }

    /// <summary>The proxy for a container's state directory, or null when NOTIFY_SOCKET is not set.</summary>
    public static NotifySocket? FromEnvironment(string stateDirectory)
    {
        string? host = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        return string.IsNullOrEmpty(host) ? null : new NotifySocket(host, Path.Combine(stateDirectory, "notify"));
    }

    /// <summary>Whether <see cref="CreateDirectory"/> ran at create (start proxies only for such a container).</summary>
    public bool WasSetUp => Directory.Exists(_directory);

    /// <summary>Adds runc's read-only bind of the socket directory and the container's NOTIFY_SOCKET to <paramref name="spec"/>.</summary>
    public void AddTo(Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Mounts = [.. spec.Mounts ?? [], new Mount
        {
            Destination = ContainerDirectory,
            Type = "bind",
            Source = _directory,
            Options = ["bind", "nosuid", "noexec", "nodev", "ro"],
        }];
        if (spec.Process is { } process)
        {
            process.Env = [.. process.Env ?? [], $"NOTIFY_SOCKET={ContainerDirectory}/{SocketName}"];
        }
    }

    /// <summary>Creates the socket's directory in the state directory (before the spawn: the mount's source).</summary>
    public void CreateDirectory() => Directory.CreateDirectory(_directory, DirectoryMode);

    /// <summary>Binds the container's socket (before the container's process can run).</summary>
    public void Bind()
    {
        string path = Path.Combine(_directory, SocketName);
        File.Delete(path);
        _socket = Interop.BindUnixDatagram(path);
        File.SetUnixFileMode(path, SocketMode);
    }

    /// <summary>
    /// Waits until the container sends a READY= line (passed on with MAINPID=<paramref name="mainPid"/>) or the process
    /// <paramref name="watchedPid"/> ends; a failure to reach the host's socket is a warning, as runc ignores it.
    /// </summary>
    /// <returns>True when READY was passed on.</returns>
    public unsafe bool Forward(int mainPid, int watchedPid)
    {
        SafeFdHandle socket = _socket ?? throw new InvalidOperationException("Bind first");
        int pidfd = Interop.PidfdOpen(watchedPid);
        if (pidfd < 0)
        {
            return false;
        }

        using SafeFdHandle watched = new(pidfd);
        Interop.PollFd* polls = stackalloc Interop.PollFd[2];
        polls[0] = new Interop.PollFd { Fd = socket.Fd, Events = Interop.POLLIN };
        polls[1] = new Interop.PollFd { Fd = watched.Fd, Events = Interop.POLLIN };
        byte* buffer = stackalloc byte[4096];
        while (true)
        {
            polls[0].Revents = polls[1].Revents = 0;
            if (Interop.Poll(polls, 2, -1) < 0)
            {
                if (Marshal.GetLastPInvokeError() == Interop.EINTR)
                {
                    continue;
                }

                return false;
            }

            if ((polls[0].Revents & Interop.POLLIN) != 0)
            {
                nint n = Interop.Read(socket.Fd, buffer, 4096);
                string message = n > 0 ? Encoding.UTF8.GetString(buffer, (int)n) : string.Empty;

                // runc passes on the first line of a datagram that starts with READY=; runcs takes a READY= line anywhere in it.
                string? ready = message.Split('\n').FirstOrDefault(l => l.StartsWith("READY=", StringComparison.Ordinal));
                if (ready is not null)
                {
                    Send(ready, mainPid);
                    return true;
                }

                continue;
            }

            if ((polls[1].Revents & Interop.POLLIN) != 0)
            {
                // The container ended before it was ready.
                return false;
            }
        }
    }

    /// <summary>Closes the container's socket (the file goes with the state directory).</summary>
    public void Dispose() => _socket?.Dispose();

    private void Send(string ready, int mainPid)
    {
        try
        {
            using SafeFdHandle host = Interop.ConnectUnixDatagram(_host);
            Interop.WriteFully(host.Fd, Encoding.UTF8.GetBytes(ready + "\n"));
            Interop.WriteFully(host.Fd, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"MAINPID={mainPid}\n")));
        }
        catch (ContainersException ex)
        {
            RuntimeLog.Warning($"NOTIFY_SOCKET {_host}: {ex.Message}");
        }
    }
}
