using Containers.Lifecycle.Tasks;
using Containers.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Containers.DependencyInjection;

/// <summary>
/// Reconnects to the shims of the namespace when the host starts: containers started by an earlier
/// run of the application (or another process over the same state directory) are found, running ones
/// watched again (their exits published on the event bus), and those that ended while no host was
/// there report the exit their shim recorded. What was found is logged. Stopping the host leaves
/// the shims and their containers running.
/// </summary>
public sealed class ShimRecoveryService : IHostedService
{
    private readonly ITaskService _tasks;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="tasks">The task service; only a <see cref="ShimTaskService"/> has shims to recover.</param>
    /// <param name="logger">Receives what was found.</param>
    public ShimRecoveryService(ITaskService tasks, ILogger<ShimRecoveryService>? logger = null)
    {
        _tasks = tasks ?? throw new ArgumentNullException(nameof(tasks));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The tasks found at the last start.</summary>
    public IReadOnlyList<TaskState> Recovered { get; private set; } = [];

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_tasks is not ShimTaskService shims)
        {
            return;
        }

        Recovered = await shims.ReconnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (TaskState task in Recovered)
        {
            if (task.Exit is { } exit)
            {
                ShimRecoveryLog.FoundStopped(_logger, task.ContainerId, exit.ExitCode, exit.ExitedAt, exit.Failure);
            }
            else
            {
                ShimRecoveryLog.FoundRunning(_logger, task.ContainerId, task.Status.ToString(), task.Pid);
            }
        }

        ShimRecoveryLog.Reconnected(_logger, Recovered.Count);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
