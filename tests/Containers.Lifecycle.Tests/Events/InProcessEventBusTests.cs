using Containers.Events;
using Containers.Metadata;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Events;

public sealed class InProcessEventBusTests
{
    /// <summary>One payload of every type the foundation defines, so every topic is exercised.</summary>
    private static List<ContainerEvent> OneOfEach()
    {
        Digest digest = Digest.Parse("sha256:" + new string('a', 64));
        var labels = new Dictionary<string, string> { ["k"] = "v" };
        DateTimeOffset at = DateTimeOffset.UnixEpoch;
        return
        [
            new TaskCreate("c1", "/run/b", [], new TaskIO(), null, 10),
            new TaskStart("c1", 10),
            new TaskExit("c1", "c1", 10, 137, at),
            new TaskOom("c1"),
            new TaskDelete("c1", 10, 137, at, null),
            new TaskExecAdded("c1", "e1"),
            new TaskExecStarted("c1", "e1", 11),
            new TaskPaused("c1"),
            new TaskResumed("c1"),
            new TaskCheckpointed("c1", "cp"),
            new ContainerCreate("c1", "busybox", new RuntimeInfo("runcs")),
            new ContainerUpdate("c1", "busybox", labels, "snap"),
            new ContainerDelete("c1"),
            new ImageCreate("busybox", labels),
            new ImageUpdate("busybox", labels),
            new ImageDelete("busybox"),
            new ContentCreate(digest, 5),
            new ContentDelete(digest),
            new SnapshotPrepare("k", null, "overlayfs"),
            new SnapshotCommit("k", "n", "overlayfs"),
            new SnapshotRemove("k", "overlayfs"),
            new NamespaceCreate("ns", labels),
            new NamespaceUpdate("ns", labels),
            new NamespaceDelete("ns"),
        ];
    }

    private static async Task<List<EventEnvelope>> Take(IAsyncEnumerator<EventEnvelope> e, int count)
    {
        var list = new List<EventEnvelope>();
        while (list.Count < count && await e.MoveNextAsync())
        {
            list.Add(e.Current);
        }

        return list;
    }

    [Test]
    public async Task EveryTopicIsDeliveredInPublishOrder()
    {
        var bus = new InProcessEventBus();
        using var cts = new CancellationTokenSource();
        await using var first = bus.SubscribeAsync(null, cts.Token).GetAsyncEnumerator();
        await using var second = bus.SubscribeAsync(EventFilter.All, cts.Token).GetAsyncEnumerator();
        List<ContainerEvent> events = OneOfEach();
        Assert.That(events.Select(e => e.Topic), Is.EquivalentTo(EventTopics.All), "the test covers every topic");
        foreach (ContainerEvent e in events)
        {
            await bus.PublishAsync("default", e);
        }

        List<EventEnvelope> a = await Take(first, events.Count);
        List<EventEnvelope> b = await Take(second, events.Count);
        Assert.That(a.Select(x => x.Event), Is.EqualTo(events));
        Assert.That(b.Select(x => x.Event), Is.EqualTo(events));
        Assert.That(a.Select(x => x.Topic), Is.EqualTo(events.Select(e => e.Topic)));
        Assert.That(a.Zip(a.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), Is.True);
    }

    [Test]
    public async Task ConcurrentPublishersAreSeenInTheSameOrderByEverySubscriber()
    {
        var bus = new InProcessEventBus(new EventBusOptions { SubscriberCapacity = 10_000 });
        using var cts = new CancellationTokenSource();
        await using var first = bus.SubscribeAsync(null, cts.Token).GetAsyncEnumerator();
        await using var second = bus.SubscribeAsync(null, cts.Token).GetAsyncEnumerator();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < 500; i++)
            {
                await bus.PublishAsync("default", new TaskStart($"p{p}", i));
            }
        })));
        List<EventEnvelope> a = await Take(first, 2000);
        List<EventEnvelope> b = await Take(second, 2000);
        Assert.That(a.Select(x => x.Event), Is.EqualTo(b.Select(x => x.Event)));
        for (int p = 0; p < 4; p++)
        {
            Assert.That(a.Select(x => (TaskStart)x.Event).Where(e => e.ContainerId == $"p{p}").Select(e => e.Pid), Is.EqualTo(Enumerable.Range(0, 500)), "per-publisher order kept");
        }
    }

    [TestCase("topic==/tasks/exit", new[] { "/tasks/exit" })]
    [TestCase("topic~=^/snapshot/", new[] { "/snapshot/prepare", "/snapshot/commit", "/snapshot/remove" })]
    [TestCase("event.exit_status==137", new[] { "/tasks/exit", "/tasks/delete" })]
    [TestCase("event.exec_id==e1,topic==/tasks/exec-started", new[] { "/tasks/exec-started" })]
    [TestCase("event.labels.k==v,topic~=^/images/", new[] { "/images/create", "/images/update" })]
    [TestCase("event.snapshotter==overlayfs,event.parent", new string[0])]
    [TestCase("namespace==other", new string[0])]
    public async Task FiltersSelectByTopicNamespaceAndEventFields(string filter, string[] expected)
    {
        var bus = new InProcessEventBus();
        using var cts = new CancellationTokenSource();
        await using var sub = bus.SubscribeAsync(EventFilter.Parse(filter), cts.Token).GetAsyncEnumerator();
        foreach (ContainerEvent e in OneOfEach())
        {
            await bus.PublishAsync("default", e);
        }

        // Delivery is synchronous inside PublishAsync, so everything that passed is queued now: read
        // until the subscription would wait, then end it.
        var topics = new List<string>();
        while (true)
        {
            ValueTask<bool> next = sub.MoveNextAsync();
            if (!next.IsCompleted)
            {
                await cts.CancelAsync();
                Assert.That(async () => await next, Throws.InstanceOf<OperationCanceledException>());
                break;
            }

            Assert.That(await next, Is.True);
            topics.Add(sub.Current.Topic);
        }

        Assert.That(topics, Is.EqualTo(expected));
    }

    [Test]
    public async Task SlowSubscriberDropsOldestAndDoesNotBlockPublishers()
    {
        var bus = new InProcessEventBus(new EventBusOptions { SubscriberCapacity = 8 });
        using var cts = new CancellationTokenSource();
        await using var slow = bus.SubscribeAsync(null, cts.Token).GetAsyncEnumerator();
        for (int i = 0; i < 100; i++)
        {
            // Completes synchronously although nobody reads: publishers never wait for subscribers.
            ValueTask publish = bus.PublishAsync("default", new TaskStart("c", i));
            Assert.That(publish.IsCompletedSuccessfully, Is.True);
        }

        List<EventEnvelope> got = await Take(slow, 8);
        Assert.That(got.Select(e => ((TaskStart)e.Event).Pid), Is.EqualTo(Enumerable.Range(92, 8)), "the newest 8 are kept, in order");
        Assert.That(bus.DroppedEvents, Is.EqualTo(92));
    }

    [Test]
    public async Task CancellationEndsTheSubscriptionAndUnregistersIt()
    {
        var bus = new InProcessEventBus();
        using var cts = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            int n = 0;
            await foreach (EventEnvelope _ in bus.SubscribeAsync(null, cts.Token))
            {
                n++;
            }

            return n;
        });
        while (bus.SubscriberCount == 0)
        {
            await Task.Yield();
        }

        await bus.PublishAsync("default", new TaskOom("c"));
        await cts.CancelAsync();
        Assert.That(async () => await reader, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(bus.SubscriberCount, Is.Zero);
    }

    [Test]
    public void ForwardRefusesMismatchedTopicAndBadNamespace()
    {
        var bus = new InProcessEventBus();
        var e = Assert.ThrowsAsync<InvalidSpecException>(async () => await bus.ForwardAsync(new EventEnvelope(DateTimeOffset.UtcNow, "default", EventTopics.TaskStart, new TaskOom("c"))));
        Assert.That(e!.JsonPath, Is.EqualTo("topic"));
        Assert.ThrowsAsync<InvalidSpecException>(async () => await bus.PublishAsync("bad/ns", new TaskOom("c")));
    }

    [Test]
    public async Task CancellingANeverEnumeratedSubscriptionUnregistersIt()
    {
        var bus = new InProcessEventBus();
        using var cts = new CancellationTokenSource();
        _ = bus.SubscribeAsync(null, cts.Token);
        Assert.That(bus.SubscriberCount, Is.EqualTo(1));
        await cts.CancelAsync();
        Assert.That(bus.SubscriberCount, Is.Zero);
    }
}
