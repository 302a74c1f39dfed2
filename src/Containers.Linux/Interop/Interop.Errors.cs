using System.Runtime.InteropServices;
using Containers.Linux;

internal static partial class Interop
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int EEXIST = 17;
    internal const int ENOTDIR = 20;
    internal const int ENOTTY = 25;
    internal const int EINVAL = 22;
    internal const int ELOOP = 40;
    internal const int E2BIG = 7;
    internal const int EPIPE = 32;
    internal const int ENOSYS = 38;
    internal const int ETIMEDOUT = 110;

    /// <summary>Turns a libc-style -1 result into a <see cref="LinuxErrorException"/>; passes any other value through.</summary>
    internal static int ThrowOnError(int result, string syscallName, string? detail = null)
    {
        if (result < 0)
        {
            throw new LinuxErrorException(syscallName, Marshal.GetLastPInvokeError(), detail);
        }

        return result;
    }

    /// <summary>The 64-bit variant of <see cref="ThrowOnError(int, string, string?)"/>.</summary>
    internal static long ThrowOnError(long result, string syscallName, string? detail = null)
    {
        if (result < 0)
        {
            throw new LinuxErrorException(syscallName, Marshal.GetLastPInvokeError(), detail);
        }

        return result;
    }
}
