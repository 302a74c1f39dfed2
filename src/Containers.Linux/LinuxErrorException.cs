using System.Runtime.InteropServices;

namespace Containers.Linux;

/// <summary>
/// A Linux system call failed. <see cref="Errno"/> is the kernel's error number and
/// <see cref="SyscallName"/> names the call, so callers can branch on the condition
/// (for example <c>ENOENT</c> = 2) without parsing the message.
/// </summary>
public sealed class LinuxErrorException : ContainersException
{
    /// <summary>Creates the exception for a failed call.</summary>
    /// <param name="syscallName">The system call or libc function that failed, for example <c>mount</c>.</param>
    /// <param name="errno">The error number it returned.</param>
    /// <param name="detail">What the call was acting on (a path, a pid), or <see langword="null"/>.</param>
    public LinuxErrorException(string syscallName, int errno, string? detail = null)
        : base(FormatMessage(syscallName, errno, detail))
    {
        SyscallName = syscallName;
        Errno = errno;
    }

    /// <summary>The kernel error number (errno).</summary>
    public int Errno { get; }

    /// <summary>The system call or libc function that failed.</summary>
    public string SyscallName { get; }

    private static string FormatMessage(string syscallName, int errno, string? detail)
    {
        string text = Marshal.GetPInvokeErrorMessage(errno);
        return detail is null
            ? $"{syscallName}: {text} (errno {errno})"
            : $"{syscallName} {detail}: {text} (errno {errno})";
    }
}
