using Containers.Client;
using Containers.Images;

namespace Containers.Benchmarks;

/// <summary>
/// A sleeping container in a shim group: a group's shim exits with its last task, so sequential runs
/// share it only while another member lives (as in a host that keeps one long-running container).
/// </summary>
internal sealed class GroupKeeper : IAsyncDisposable
{
    private readonly Container _container;
    private readonly ContainerTask _task;

    private GroupKeeper(Container container, ContainerTask task)
    {
        _container = container;
        _task = task;
    }

    public static async Task<GroupKeeper> StartAsync(ContainerClient client, Image image, string group)
    {
        Container container = await client.CreateContainerAsync("keeper-" + group, image, new ContainerOptions { ShimGroup = group, Args = ["/bin/busybox", "sleep", "1000"] }).ConfigureAwait(false);
        ContainerTask task = await container.NewTaskAsync().ConfigureAwait(false);
        _ = await task.StartAsync().ConfigureAwait(false);
        return new GroupKeeper(container, task);
    }

    public async ValueTask DisposeAsync()
    {
        await _task.KillAsync(9, all: true).ConfigureAwait(false);
        _ = await _task.WaitAsync().ConfigureAwait(false);
        _ = await _task.DeleteAsync().ConfigureAwait(false);
        await _container.DeleteAsync().ConfigureAwait(false);
    }
}
