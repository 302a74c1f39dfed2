namespace Containers.Samples.JobHost;

/// <summary>The <c>Jobs</c> configuration section.</summary>
public sealed class JobSettings
{
    /// <summary>The image every job runs in, pulled when the host starts.</summary>
    public string Image { get; set; } = "docker.io/library/busybox:latest";

    /// <summary>Each job's memory limit in bytes (64 MiB by default).</summary>
    public long MemoryBytes { get; set; } = 64L << 20;

    /// <summary>How long a job may run before its container is killed.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
