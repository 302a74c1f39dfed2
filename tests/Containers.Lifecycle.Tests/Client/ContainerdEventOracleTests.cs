using Containers.Client;
using Containers.Events;
using Containers.Images;
using Containers.Lifecycle.Tests.Events;
using Containers.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// The oracle: the topics <c>ctr events</c> shows from a private containerd (Debian's 1.6) during <c>ctr images
/// pull</c> and <c>ctr run --rm</c> of the bed's image, against the topics our bus carries for a pull and a
/// <c>RunAsync</c> of the same image.
/// </summary>
[NonParallelizable]
public sealed class ContainerdEventOracleTests : FacadeFixture
{
    [Test]
    public async Task APullAndARunPublishTheTopicsContainerdPublishesForCtrPullAndCtrRunRm()
    {
        IReadOnlyList<string> theirs;
        await using (PrivateContainerd containerd = await PrivateContainerd.StartAsync(Bed.Directory.Combine("containerd"), "events-oracle"))
        {
            (await containerd.CtrAsync("images", "pull", "--plain-http", Bed.Reference)).EnsureSuccess("ctr images pull");
            using (new RuncDevNullGuard())
            {
                (await containerd.CtrAsync("run", "--rm", "--runc-root", containerd.RuncRoot, "--cgroup", "/lifecycle-tests/events-oracle",
                    Bed.Reference, "events-oracle", "true")).EnsureSuccess("ctr run --rm");
            }

            // ctr events streams what the daemon published before ctr run returned; wait for the last of it.
            for (int i = 0; i < 300 && containerd.NamespaceTopics().Count(t => t is EventTopics.ContainerDelete or EventTopics.SnapshotRemove) < 2; i++)
            {
                await Task.Delay(100);
            }

            theirs = containerd.NamespaceTopics();
        }

        ContainerClient client = Bed.NewProvider().GetRequiredService<ContainerClient>();
        IReadOnlyList<EventEnvelope> events;
        await using (EventRecorder recorder = new(client.Events, "namespace==" + FacadeTestBed.Namespace))
        {
            Image image = await client.PullAsync(Bed.Reference);
            RunResult result = await client.RunAsync(image, ["true"]);
            Assert.That(result.ExitCode, Is.Zero);
            events = await recorder.StopAsync();
        }

        // Known differences: containerd 1.6 has no /content/create (2.1 publishes it), and its client removes the
        // container's snapshot before the container record, where Container.DeleteAsync drops the record first.
        string[] ours = events.Select(e => e.Topic).Where(t => t != EventTopics.ContentCreate).ToArray();
        Assert.That(events.Count(e => e.Topic == EventTopics.ContentCreate), Is.EqualTo(3), "index/manifest, config and layer");
        Assert.That(ours, Is.EqualTo(RecordFirst(theirs)), $"containerd: {string.Join(' ', theirs)}");
    }

    private static string[] RecordFirst(IReadOnlyList<string> topics)
    {
        string[] swapped = [.. topics];
        for (int i = 0; i + 1 < swapped.Length; i++)
        {
            if (swapped[i] == EventTopics.SnapshotRemove && swapped[i + 1] == EventTopics.ContainerDelete)
            {
                (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
            }
        }

        return swapped;
    }
}
