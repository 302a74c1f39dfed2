namespace Containers.Samples.JobHost;

/// <summary>What a job's container did.</summary>
/// <param name="Id">The container's id (it is gone).</param>
/// <param name="ExitCode">Its exit code (128 + signal when killed).</param>
/// <param name="Stdout">Its standard output.</param>
/// <param name="Stderr">Its standard error.</param>
public sealed record JobResult(string Id, int ExitCode, string Stdout, string Stderr);
