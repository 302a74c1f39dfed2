using Containers.Client;
using Containers.Images;

namespace Containers.Samples.JobHost;

/// <summary>Pulls the jobs' image when the host starts (the host does not serve before it has it).</summary>
public sealed class JobImage(ContainerClient client, JobSettings settings, ILogger<JobImage> logger) : IHostedService
{
    private Image? _image;

    /// <summary>The pulled image.</summary>
    public Image Image => _image ?? throw new InvalidOperationException("the job image is not pulled yet");

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _image = await client.PullAsync(settings.Image, cancellationToken: cancellationToken);
        logger.LogInformation("Job image {Image} ready ({Digest})", _image.Name, _image.Target.Digest);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
