namespace Containers.Samples.JobHost;

/// <summary>Why a job did not run to its end.</summary>
/// <param name="Error">The reason.</param>
public sealed record JobError(string Error);
