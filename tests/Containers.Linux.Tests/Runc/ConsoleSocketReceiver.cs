using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// The receiving end of runc's --console-socket protocol (what runc's recvtty does): a unix stream
/// socket; the runtime connects and sends one message whose body is the pty's name and whose
/// SCM_RIGHTS control data carries exactly one fd, the pty master.
/// </summary>
public sealed partial class ConsoleSocketReceiver : IDisposable
{
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;
    private const int MSG_CMSG_CLOEXEC = 0x40000000;
    private const short POLLIN = 1;
    private readonly Socket _listener;

    public ConsoleSocketReceiver()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("console-").FullName;
        Path = System.IO.Path.Combine(Directory, "console.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(1);
    }

    public string Directory { get; }

    public string Path { get; }

    /// <summary>Accepts the runtime's connection and receives the master: the name sent and the fd.</summary>
    public unsafe (string Name, SafeFileHandle Master) Receive()
    {
        Assert.That(_listener.Poll(TimeSpan.FromSeconds(60), SelectMode.SelectRead), Is.True, "no runtime connected to the console socket");
        using Socket connection = _listener.Accept();
        byte* body = stackalloc byte[4096];
        long* control = stackalloc long[8];
        long* iov = stackalloc long[2];
        iov[0] = (long)body;
        iov[1] = 4096;
        long* header = stackalloc long[7];
        header[0] = 0;
        header[1] = 0;
        header[2] = (long)iov;
        header[3] = 1;
        header[4] = (long)control;
        header[5] = 64;
        header[6] = 0;
        nint received = RecvMsg((int)connection.Handle, header, MSG_CMSG_CLOEXEC);
        Assert.That(received, Is.GreaterThan((nint)0), $"recvmsg errno {Marshal.GetLastPInvokeError()}");
        Assert.That(header[5], Is.EqualTo(24), "exactly one cmsghdr with one fd");
        Assert.That(((int*)control)[2], Is.EqualTo(SOL_SOCKET));
        Assert.That(((int*)control)[3], Is.EqualTo(SCM_RIGHTS));
        Assert.That(control[0], Is.EqualTo(20), "cmsg_len of one int");
        return (Encoding.UTF8.GetString(body, (int)received), new SafeFileHandle(((int*)control)[4], ownsHandle: true));
    }

    /// <summary>Reads the master until <paramref name="marker"/> appears or the slave side closes (EIO).</summary>
    public static unsafe string ReadUntil(SafeFileHandle master, string marker)
    {
        StringBuilder text = new();
        byte* buffer = stackalloc byte[4096];
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!text.ToString().Contains(marker, StringComparison.Ordinal))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"no \"{marker}\" from the terminal; got: {text}");
            long poll = ((long)POLLIN << 32) | (uint)master.DangerousGetHandle();
            if (Poll(&poll, 1, 1000) <= 0)
            {
                continue;
            }

            nint n = Read((int)master.DangerousGetHandle(), buffer, 4096);
            if (n <= 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, (int)n));
        }

        return text.ToString();
    }

    /// <summary>Writes text to the master, as a user typing on the terminal.</summary>
    public static unsafe void Type(SafeFileHandle master, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* data = bytes)
        {
            Assert.That(Write((int)master.DangerousGetHandle(), data, bytes.Length), Is.EqualTo((nint)bytes.Length));
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static unsafe partial nint RecvMsg(int fd, long* header, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(long* fds, nuint count, int timeout);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nint count);
}
