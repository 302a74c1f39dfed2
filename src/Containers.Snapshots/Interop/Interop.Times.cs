using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        public static Timespec From(DateTimeOffset time)
        {
            long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
            if (rest < 0)
            {
                seconds--;
                rest += TimeSpan.TicksPerSecond;
            }

            return new Timespec { Seconds = seconds, Nanoseconds = rest * 100 };
        }
    }

    [LibraryImport(Libc, EntryPoint = "utimensat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int UtimensAtNative(SafeFileHandle dirfd, string name, Timespec* times, int flags);

    [LibraryImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    private static unsafe partial int FutimensNative(SafeFileHandle fd, Timespec* times);

    internal static unsafe int UtimensAt(SafeFileHandle dirfd, string name, Timespec atime, Timespec mtime, int flags)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = atime;
        times[1] = mtime;
        return UtimensAtNative(dirfd, name, times, flags);
    }

    internal static unsafe int Futimens(SafeFileHandle fd, Timespec atime, Timespec mtime)
    {
        Timespec* times = stackalloc Timespec[2];
        times[0] = atime;
        times[1] = mtime;
        return FutimensNative(fd, times);
    }
}
