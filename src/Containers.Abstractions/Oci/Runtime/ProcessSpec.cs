using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The process to run in the container (<c>process</c> in config.json, also the document of <c>runc exec --process</c>).</summary>
public sealed class ProcessSpec
{
    /// <summary>Whether the process gets a pseudo-terminal.</summary>
    [JsonPropertyName("terminal")]
    public bool? Terminal { get; set; }

    /// <summary>The terminal's size in characters; ignored without <see cref="Terminal"/>.</summary>
    [JsonPropertyName("consoleSize")]
    public ConsoleSize? ConsoleSize { get; set; }

    /// <summary>The user and groups the process runs as.</summary>
    [JsonPropertyName("user")]
    public ProcessUser? User { get; set; }

    /// <summary>The executable and its arguments; must not be empty on Linux.</summary>
    [JsonPropertyName("args")]
    public IList<string>? Args { get; set; }

    /// <summary>The full command line (Windows only).</summary>
    [JsonPropertyName("commandLine")]
    public string? CommandLine { get; set; }

    /// <summary>Environment variables as <c>KEY=value</c>.</summary>
    [JsonPropertyName("env")]
    public IList<string>? Env { get; set; }

    /// <summary>The working directory inside the container; absolute.</summary>
    [JsonPropertyName("cwd")]
    public required string Cwd { get; set; }

    /// <summary>The capability sets of the process.</summary>
    [JsonPropertyName("capabilities")]
    public LinuxCapabilities? Capabilities { get; set; }

    /// <summary>Resource limits set with setrlimit(2); each type at most once.</summary>
    [JsonPropertyName("rlimits")]
    public IList<PosixRlimit>? Rlimits { get; set; }

    /// <summary>Sets PR_SET_NO_NEW_PRIVS so execve cannot gain privileges.</summary>
    [JsonPropertyName("noNewPrivileges")]
    public bool? NoNewPrivileges { get; set; }

    /// <summary>The AppArmor profile to apply.</summary>
    [JsonPropertyName("apparmorProfile")]
    public string? ApparmorProfile { get; set; }

    /// <summary>The process's oom_score_adj, -1000 to 1000.</summary>
    [JsonPropertyName("oomScoreAdj")]
    public int? OomScoreAdj { get; set; }

    /// <summary>Scheduling attributes set with sched_setattr(2).</summary>
    [JsonPropertyName("scheduler")]
    public LinuxScheduler? Scheduler { get; set; }

    /// <summary>The SELinux label the process runs with.</summary>
    [JsonPropertyName("selinuxLabel")]
    public string? SelinuxLabel { get; set; }

    /// <summary>The I/O priority set with ioprio_set(2).</summary>
    [JsonPropertyName("ioPriority")]
    public LinuxIOPriority? IOPriority { get; set; }

    /// <summary>The CPU affinity of processes started by exec.</summary>
    [JsonPropertyName("execCPUAffinity")]
    public CpuAffinity? ExecCpuAffinity { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
