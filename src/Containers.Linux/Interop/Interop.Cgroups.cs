using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>The system calls the cgroup manager needs: bpf(2) for the v2 device filter, eventfd and inotify for OOM events.</summary>
    internal static partial class Cgroups
    {
        private const string Libc = "libc";

        internal const int BPF_PROG_LOAD = 5;
        internal const int BPF_PROG_ATTACH = 8;
        internal const int BPF_PROG_DETACH = 9;
        internal const int BPF_PROG_GET_FD_BY_ID = 13;
        internal const int BPF_PROG_QUERY = 16;
        internal const uint BPF_PROG_TYPE_CGROUP_DEVICE = 15;
        internal const uint BPF_CGROUP_DEVICE = 6;
        internal const uint BPF_F_ALLOW_MULTI = 2;

        internal const int O_RDONLY = 0;
        internal const int O_WRONLY = 1;
        internal const int O_DIRECTORY = 0x10000;
        internal const int O_CLOEXEC = 0x80000;
        internal const int O_PATH = 0x200000;
        internal const int EFD_CLOEXEC = 0x80000;
        internal const int IN_CLOEXEC = 0x80000;
        internal const uint IN_MODIFY = 0x2;
        internal const short POLLIN = 1;

        /// <summary>bpf(2) system call number; the libc wrapper is not exported everywhere.</summary>
        internal static long BpfSyscallNumber => RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 321,
            Architecture.Arm64 => 280,
            _ => throw new PlatformNotSupportedException("bpf(2) number unknown for " + RuntimeInformation.ProcessArchitecture),
        };

        /// <summary>union bpf_attr for BPF_PROG_LOAD (the prefix we use).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct BpfProgLoadAttr
        {
            public uint ProgType;
            public uint InsnCount;
            public ulong Insns;
            public ulong License;
            public uint LogLevel;
            public uint LogSize;
            public ulong LogBuf;
            public uint KernVersion;
            public uint ProgFlags;
            public ulong ProgName0;
            public ulong ProgName1;
            public uint ProgIfIndex;
            public uint ExpectedAttachType;
        }

        /// <summary>union bpf_attr for BPF_PROG_ATTACH / BPF_PROG_DETACH.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct BpfProgAttachAttr
        {
            public uint TargetFd;
            public uint AttachBpfFd;
            public uint AttachType;
            public uint AttachFlags;
            public uint ReplaceBpfFd;
        }

        /// <summary>union bpf_attr for BPF_PROG_QUERY.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct BpfProgQueryAttr
        {
            public uint TargetFd;
            public uint AttachType;
            public uint QueryFlags;
            public uint AttachFlags;
            public ulong ProgIds;
            public uint ProgCount;
            public uint Padding;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
        internal static unsafe partial long Syscall(long number, long cmd, void* attr, long size);

        [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);

        [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);

        [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
        internal static unsafe partial nint Read(int fd, void* buffer, nint count);

        [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int signal);

        [LibraryImport(Libc, EntryPoint = "eventfd", SetLastError = true)]
        internal static partial int EventFd(uint initval, int flags);

        [LibraryImport(Libc, EntryPoint = "inotify_init1", SetLastError = true)]
        internal static partial int InotifyInit1(int flags);

        [LibraryImport(Libc, EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int InotifyAddWatch(int fd, string path, uint mask);

        [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
        internal static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);
    }
}
