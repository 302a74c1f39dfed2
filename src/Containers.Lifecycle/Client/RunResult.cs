using Containers.Tasks;

namespace Containers.Client;

/// <summary>What a container run with <see cref="ContainerClient.RunAsync(Containers.Images.Image, IReadOnlyList{string}, RunOptions?, CancellationToken)"/> did.</summary>
/// <param name="Id">The container's id (the container is gone).</param>
/// <param name="Status">How its process ended.</param>
/// <param name="Stdout">Everything it wrote to stdout, decoded as UTF-8.</param>
/// <param name="Stderr">Everything it wrote to stderr, decoded as UTF-8.</param>
public sealed record RunResult(string Id, ExitStatus Status, string Stdout, string Stderr)
{
    /// <summary>The exit code: 128 + the signal for a killed process; 255 with <see cref="ExitStatus.Failure"/> when its shim died.</summary>
    public int ExitCode => Status.ExitCode;
}
