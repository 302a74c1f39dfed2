using System.Text.Json;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>Builds OCI seccomp objects from JSON text for tests.</summary>
internal static class Profiles
{
    // x86_64 numbers of syscalls that ignore their arguments: safe to call with any.
    public const int Getpid = 39;
    public const int Getppid = 110;
    public const int Getuid = 102;
    public const int Getgid = 104;
    public const int Geteuid = 107;
    public const int Getegid = 108;
    public const int Gettid = 186;
    public const int Getpgrp = 111;

    /// <summary>What a static harness needs to start, fork, report and exit under a deny-by-default profile.</summary>
    public static readonly string[] HarnessBaseline =
    [
        "execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "uname", "readlinkat",
        "getrandom", "mprotect", "mmap", "munmap", "write", "exit_group", "exit", "clone", "wait4", "rt_sigaction",
        "rt_sigprocmask", "rt_sigreturn", "newfstatat", "fstat",
    ];

    /// <summary>
    /// What crun's and runcs's init call between installing the filter and execve when they install it before
    /// dropping privileges (<c>noNewPrivileges: false</c>): capabilities, ids, the working directory, descriptors,
    /// signals, the start handshake and the executable's lookup.
    /// </summary>
    public static readonly string[] RuntimeBaseline =
    [
        "capget", "capset", "prctl", "setgroups", "setresuid", "setresgid", "setuid", "setgid", "chdir", "umask", "dup3",
        "close", "close_range", "read", "openat", "fcntl", "getdents64", "statx", "access", "faccessat", "faccessat2",
        "lseek", "stat", "lstat", "readlink", "ioctl", "getcwd", "sendmsg", "recvmsg",
    ];

    public static LinuxSeccomp Parse(string json)
        => JsonSerializer.Deserialize(json, RuntimeSpecJsonContext.Default.LinuxSeccomp)
            ?? throw new InvalidOperationException("null profile");

    public static string ToJson(LinuxSeccomp profile) => JsonSerializer.Serialize(profile, RuntimeSpecJsonContext.Default.LinuxSeccomp);
}
