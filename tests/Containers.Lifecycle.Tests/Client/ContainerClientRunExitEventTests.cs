using Containers.Client;
using Containers.Events;
using Containers.Images;
using Containers.Lifecycle.Tests.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// Every <c>RunAsync</c> publishes its task's exit once, with the exit code, before its <c>/tasks/delete</c> — also
/// when the run's delete takes the task from the shim before the task's watcher has asked for the exit (a short
/// process in a fresh host: the oracle test lost the exit in about one run in four before the delete published it
/// in the watcher's place).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientRunExitEventTests : FacadeFixture
{
    private const int Runs = 12;

    [Test]
    public async Task EveryRunPublishesItsExitOnceBeforeItsDelete()
    {
        List<EventEnvelope> events = [];
        for (int i = 0; i < Runs; i++)
        {
            // A fresh host each time: its first run is the one whose watcher starts slowest (nothing warm yet).
            await using ServiceProvider provider = Bed.NewProvider();
            ContainerClient client = provider.GetRequiredService<ContainerClient>();
            Image image = await client.PullAsync(Bed.Reference);
            await using EventRecorder recorder = new(client.Events, "namespace==" + FacadeTestBed.Namespace + ",topic~=^/tasks/(exit|delete)$");
            RunResult result = await client.RunAsync(image, ["sh", "-c", $"exit {i % 4}"], new RunOptions { Id = $"exit-event-{i}" });
            Assert.That(result.ExitCode, Is.EqualTo(i % 4));
            events.AddRange(await recorder.StopAsync());
        }

        Assert.Multiple(() =>
        {
            for (int i = 0; i < Runs; i++)
            {
                string id = $"exit-event-{i}";
                string[] topics = [.. events.Where(e => (e.Event is TaskExit x && x.ContainerId == id) || (e.Event is TaskDelete d && d.ContainerId == id)).Select(e => e.Topic)];
                Assert.That(topics, Is.EqualTo(new[] { EventTopics.TaskExit, EventTopics.TaskDelete }), id);
                Assert.That(events.Select(e => e.Event).OfType<TaskExit>().Where(x => x.ContainerId == id).Select(x => x.ExitCode), Is.EqualTo(new[] { i % 4 }), id);
            }
        });
    }
}
