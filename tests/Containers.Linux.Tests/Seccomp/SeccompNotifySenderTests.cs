using System.Runtime.InteropServices;
using System.Text.Json;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Seccomp;

public sealed class SeccompNotifySenderTests
{
    [Test]
    public unsafe void State_and_fd_arrive_over_a_socketpair()
    {
        int* pair = stackalloc int[2];
        Assert.That(Interop.Seccomp.SocketPair(Interop.Seccomp.AfUnix, Interop.Seccomp.SockStream | Interop.Seccomp.SockCloexec, 0, pair), Is.EqualTo(0));
        using FileStream devNull = new("/dev/null", FileMode.Open, FileAccess.Read);
        int sent = (int)devNull.SafeFileHandle.DangerousGetHandle();
        try
        {
            ContainerProcessState state = new()
            {
                OciVersion = "1.2.0",
                Pid = 4242,
                Metadata = "agent-data",
                State = new State { OciVersion = "1.2.0", Id = "c1", Status = "creating", Bundle = "/b", Pid = 4242 },
            };
            SeccompNotifySender.Send(pair[0], state, sent);

            byte[] buffer = new byte[4096];
            int controlLength = Interop.Seccomp.ControlSpace(1);
            byte* control = stackalloc byte[controlLength];
            nint received;
            fixed (byte* data = buffer)
            {
                Interop.Seccomp.IoVec iov = new() { Base = data, Length = (nuint)buffer.Length };
                Interop.Seccomp.MsgHdr message = new() { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlLength };
                received = Interop.Seccomp.RecvMsg(pair[1], &message, Interop.Seccomp.MsgCmsgCloexec);
                Assert.That((long)received, Is.GreaterThan(0L), "recvmsg errno " + Marshal.GetLastPInvokeError());
                Assert.That((ulong)message.ControlLength, Is.GreaterThan(0UL));
            }

            Interop.Seccomp.CmsgHdr* header = (Interop.Seccomp.CmsgHdr*)control;
            Assert.That((header->Level, header->Type), Is.EqualTo((Interop.Seccomp.SolSocket, Interop.Seccomp.ScmRights)));
            int fd = *(int*)(control + sizeof(Interop.Seccomp.CmsgHdr));
            Assert.That(fd, Is.Not.EqualTo(sent));
            Assert.That(new FileInfo($"/proc/self/fd/{fd}").LinkTarget, Is.EqualTo("/dev/null"));
            Interop.Seccomp.Close(fd);

            using JsonDocument json = JsonDocument.Parse(buffer.AsMemory(0, (int)received));
            JsonElement root = json.RootElement;
            Assert.That(root.GetProperty("ociVersion").GetString(), Is.EqualTo("1.2.0"));
            Assert.That(root.GetProperty("fds")[0].GetString(), Is.EqualTo("seccompFd"));
            Assert.That(root.GetProperty("pid").GetInt32(), Is.EqualTo(4242));
            Assert.That(root.GetProperty("metadata").GetString(), Is.EqualTo("agent-data"));
            Assert.That(root.GetProperty("state").GetProperty("id").GetString(), Is.EqualTo("c1"));
        }
        finally
        {
            Interop.Seccomp.Close(pair[0]);
            Interop.Seccomp.Close(pair[1]);
        }
    }
}
