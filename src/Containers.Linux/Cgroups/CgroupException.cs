namespace Containers.Linux.Cgroups;

/// <summary>The kernel refused a cgroup operation (a write to a control file, mkdir, rmdir).</summary>
public sealed class CgroupException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    public CgroupException(string path, string message, Exception? innerException = null)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    /// <summary>The cgroup file or directory involved.</summary>
    public string Path { get; }
}
