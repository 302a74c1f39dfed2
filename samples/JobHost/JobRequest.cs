namespace Containers.Samples.JobHost;

/// <summary>A job: the argv run in a new container of the jobs' image.</summary>
/// <param name="Args">argv, starting with the program.</param>
public sealed record JobRequest(string[]? Args);
