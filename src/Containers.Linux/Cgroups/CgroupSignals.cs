using System.Runtime.InteropServices;

namespace Containers.Linux.Cgroups;

/// <summary>Signals processes one by one (the fallback where cgroup.kill does not exist).</summary>
internal static class CgroupSignals
{
    private const int ESRCH = 3;

    public static void SignalEach(IEnumerable<int> pids, int signal)
    {
        foreach (int pid in pids)
        {
            if (Interop.Cgroups.Kill(pid, signal) < 0 && Marshal.GetLastPInvokeError() != ESRCH)
            {
                throw new CgroupException("pid " + pid, $"kill({signal}) failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
    }
}
