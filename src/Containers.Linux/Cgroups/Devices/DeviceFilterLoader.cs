using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Cgroups;

/// <summary>
/// Loads a compiled device filter with bpf(2) and attaches it to a cgroup v2 directory, replacing
/// programs attached there before (attach new first, then detach old, so there is no moment
/// without a filter) — the sequence runc uses.
/// </summary>
internal static class DeviceFilterLoader
{
    public static unsafe void Attach(string cgroupDirectory, byte[] program)
    {
        int dirFd = Interop.Cgroups.Open(cgroupDirectory, Interop.Cgroups.O_RDONLY | Interop.Cgroups.O_DIRECTORY | Interop.Cgroups.O_CLOEXEC);
        if (dirFd < 0)
        {
            throw Error(cgroupDirectory, "open");
        }

        try
        {
            uint[] old = Query(dirFd);
            int progFd = Load(cgroupDirectory, program);
            try
            {
                Interop.Cgroups.BpfProgAttachAttr attach = new()
                {
                    TargetFd = (uint)dirFd,
                    AttachBpfFd = (uint)progFd,
                    AttachType = Interop.Cgroups.BPF_CGROUP_DEVICE,
                    AttachFlags = Interop.Cgroups.BPF_F_ALLOW_MULTI,
                };
                if (Interop.Cgroups.Syscall(Interop.Cgroups.BpfSyscallNumber, Interop.Cgroups.BPF_PROG_ATTACH, &attach, sizeof(Interop.Cgroups.BpfProgAttachAttr)) < 0)
                {
                    throw Error(cgroupDirectory, "BPF_PROG_ATTACH");
                }
            }
            finally
            {
                Interop.Cgroups.Close(progFd);
            }

            foreach (uint id in old)
            {
                Detach(cgroupDirectory, dirFd, id);
            }
        }
        finally
        {
            Interop.Cgroups.Close(dirFd);
        }
    }

    /// <summary>Ids of the device programs attached to the cgroup.</summary>
    public static unsafe uint[] Query(int dirFd)
    {
        uint[] ids = new uint[64];
        fixed (uint* idsPointer = ids)
        {
            Interop.Cgroups.BpfProgQueryAttr query = new()
            {
                TargetFd = (uint)dirFd,
                AttachType = Interop.Cgroups.BPF_CGROUP_DEVICE,
                ProgIds = (ulong)idsPointer,
                ProgCount = (uint)ids.Length,
            };
            if (Interop.Cgroups.Syscall(Interop.Cgroups.BpfSyscallNumber, Interop.Cgroups.BPF_PROG_QUERY, &query, sizeof(Interop.Cgroups.BpfProgQueryAttr)) < 0)
            {
                throw Error("cgroup fd", "BPF_PROG_QUERY");
            }

            return ids.AsSpan(0, (int)query.ProgCount).ToArray();
        }
    }

    private static unsafe int Load(string cgroupDirectory, byte[] program)
    {
        byte[] license = "Apache-2.0\0"u8.ToArray();
        byte[] log = new byte[64 * 1024];
        fixed (byte* insns = program)
        fixed (byte* licensePointer = license)
        fixed (byte* logPointer = log)
        {
            Interop.Cgroups.BpfProgLoadAttr load = new()
            {
                ProgType = Interop.Cgroups.BPF_PROG_TYPE_CGROUP_DEVICE,
                InsnCount = (uint)(program.Length / 8),
                Insns = (ulong)insns,
                License = (ulong)licensePointer,
                LogLevel = 1,
                LogSize = (uint)log.Length,
                LogBuf = (ulong)logPointer,
            };
            long fd = Interop.Cgroups.Syscall(Interop.Cgroups.BpfSyscallNumber, Interop.Cgroups.BPF_PROG_LOAD, &load, sizeof(Interop.Cgroups.BpfProgLoadAttr));
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                string verifier = Encoding.UTF8.GetString(log).TrimEnd('\0').Trim();
                throw new CgroupException(cgroupDirectory, $"BPF_PROG_LOAD of the device filter failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}); verifier: {verifier}");
            }

            return (int)fd;
        }
    }

    private static unsafe void Detach(string cgroupDirectory, int dirFd, uint id)
    {
        // attr: { u32 prog_id; u32 next_id; u32 open_flags; }, the rest zero.
        uint* byId = stackalloc uint[4];
        byId[0] = id;
        byId[1] = byId[2] = byId[3] = 0;
        long progFd = Interop.Cgroups.Syscall(Interop.Cgroups.BpfSyscallNumber, Interop.Cgroups.BPF_PROG_GET_FD_BY_ID, byId, sizeof(uint) * 4);
        if (progFd < 0)
        {
            // Detached meanwhile by someone else: nothing to do.
            return;
        }

        try
        {
            Interop.Cgroups.BpfProgAttachAttr detach = new()
            {
                TargetFd = (uint)dirFd,
                AttachBpfFd = (uint)progFd,
                AttachType = Interop.Cgroups.BPF_CGROUP_DEVICE,
            };
            if (Interop.Cgroups.Syscall(Interop.Cgroups.BpfSyscallNumber, Interop.Cgroups.BPF_PROG_DETACH, &detach, sizeof(Interop.Cgroups.BpfProgAttachAttr)) < 0)
            {
                throw Error(cgroupDirectory, "BPF_PROG_DETACH");
            }
        }
        finally
        {
            Interop.Cgroups.Close((int)progFd);
        }
    }

    private static CgroupException Error(string path, string operation)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new CgroupException(path, $"{operation} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
