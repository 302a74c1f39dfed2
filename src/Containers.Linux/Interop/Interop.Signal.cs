using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;
    internal const int SIGCHLD = 17;

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
