using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Runtime;

/// <summary>
/// A hook's stdout and stderr, read from two pipes until both close, as runc collects them (Go's exec.Cmd with
/// buffers: its Wait returns once the hook and anything holding its output are done) for its error message.
/// </summary>
internal sealed class HookOutput
{
    /// <summary>Each stream keeps at most this much (the rest is read and dropped, so the hook never blocks).</summary>
    private const int Limit = 1 << 20;
    private const short PollHangUp = 0x10;
    private const short PollError = 0x8;

    private readonly MemoryStream _stdout = new();
    private readonly MemoryStream _stderr = new();

    /// <summary>The hook's stdout as text (UTF-8, invalid bytes replaced).</summary>
    public string Stdout => Encoding.UTF8.GetString(_stdout.GetBuffer(), 0, (int)_stdout.Length);

    /// <summary>The hook's stderr as text.</summary>
    public string Stderr => Encoding.UTF8.GetString(_stderr.GetBuffer(), 0, (int)_stderr.Length);

    /// <summary>Reads both pipes until both reach end of file or <paramref name="timeout"/> passes.</summary>
    /// <returns>False when the time ran out first.</returns>
    public unsafe bool Collect(SafeFdHandle stdout, SafeFdHandle stderr, TimeSpan timeout)
    {
        Stopwatch clock = Stopwatch.StartNew();
        Interop.PollFd* polls = stackalloc Interop.PollFd[2];
        polls[0] = new Interop.PollFd { Fd = stdout.Fd, Events = Interop.POLLIN };
        polls[1] = new Interop.PollFd { Fd = stderr.Fd, Events = Interop.POLLIN };
        byte* buffer = stackalloc byte[4096];
        while (polls[0].Fd >= 0 || polls[1].Fd >= 0)
        {
            int wait = timeout == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Max(0, (timeout - clock.Elapsed).TotalMilliseconds);
            if (timeout != Timeout.InfiniteTimeSpan && wait == 0)
            {
                return false;
            }

            int ready = Interop.Poll(polls, 2, wait);
            if (ready < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                {
                    continue;
                }

                throw new LinuxErrorException("poll", errno);
            }

            for (int i = 0; i < 2; i++)
            {
                if (polls[i].Fd < 0 || (polls[i].Revents & (Interop.POLLIN | PollHangUp | PollError)) == 0)
                {
                    continue;
                }

                nint n = Interop.Read(polls[i].Fd, buffer, 4096);
                if (n < 0 && Marshal.GetLastPInvokeError() == Interop.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    // poll ignores negative fds: this stream is done.
                    polls[i].Fd = -1;
                    continue;
                }

                MemoryStream target = i == 0 ? _stdout : _stderr;
                int keep = (int)Math.Min(n, Limit - target.Length);
                target.Write(new ReadOnlySpan<byte>(buffer, keep));
            }
        }

        return true;
    }
}
