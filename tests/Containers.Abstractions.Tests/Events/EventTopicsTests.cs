using System.Reflection;
using System.Runtime.CompilerServices;
using Containers.Events;

namespace Containers.Abstractions.Tests.Events;

[TestFixture]
public sealed class EventTopicsTests
{
    // The topics containerd publishes (core/runtime, core/metadata, plugins/services), written out
    // here so a renamed or dropped constant fails this test.
    private static readonly Dictionary<string, string> ExpectedTopicByPayload = new(StringComparer.Ordinal)
    {
        [nameof(TaskCreate)] = "/tasks/create",
        [nameof(TaskStart)] = "/tasks/start",
        [nameof(TaskExit)] = "/tasks/exit",
        [nameof(TaskOom)] = "/tasks/oom",
        [nameof(TaskDelete)] = "/tasks/delete",
        [nameof(TaskExecAdded)] = "/tasks/exec-added",
        [nameof(TaskExecStarted)] = "/tasks/exec-started",
        [nameof(TaskPaused)] = "/tasks/paused",
        [nameof(TaskResumed)] = "/tasks/resumed",
        [nameof(TaskCheckpointed)] = "/tasks/checkpointed",
        [nameof(ContainerCreate)] = "/containers/create",
        [nameof(ContainerUpdate)] = "/containers/update",
        [nameof(ContainerDelete)] = "/containers/delete",
        [nameof(ImageCreate)] = "/images/create",
        [nameof(ImageUpdate)] = "/images/update",
        [nameof(ImageDelete)] = "/images/delete",
        [nameof(ContentCreate)] = "/content/create",
        [nameof(ContentDelete)] = "/content/delete",
        [nameof(SnapshotPrepare)] = "/snapshot/prepare",
        [nameof(SnapshotCommit)] = "/snapshot/commit",
        [nameof(SnapshotRemove)] = "/snapshot/remove",
        [nameof(NamespaceCreate)] = "/namespaces/create",
        [nameof(NamespaceUpdate)] = "/namespaces/update",
        [nameof(NamespaceDelete)] = "/namespaces/delete",
    };

    private static IEnumerable<Type> PayloadTypes() =>
        typeof(ContainerEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ContainerEvent)) && !t.IsAbstract);

    [Test]
    public void AllListsEveryContainerdTopicOnce()
    {
        Assert.That(EventTopics.All, Is.EquivalentTo(ExpectedTopicByPayload.Values).And.Unique);
    }

    [Test]
    public void EveryConstantIsInAll()
    {
        var constants = typeof(EventTopics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        Assert.That(constants, Is.EquivalentTo(EventTopics.All));
    }

    [Test]
    public void EachPayloadTypeIsSealedAndReportsItsTopic()
    {
        var payloads = PayloadTypes().ToList();
        Assert.That(payloads.Select(t => t.Name), Is.EquivalentTo(ExpectedTopicByPayload.Keys));
        Assert.Multiple(() =>
        {
            foreach (var type in payloads)
            {
                // Topic depends on the type only, so an uninitialised instance is enough to read it.
                var instance = (ContainerEvent)RuntimeHelpers.GetUninitializedObject(type);
                Assert.That(type.IsSealed, Is.True, type.Name);
                Assert.That(instance.Topic, Is.EqualTo(ExpectedTopicByPayload[type.Name]), type.Name);
            }
        });
    }

    [Test]
    public void PayloadsCompareByValue()
    {
        var at = DateTimeOffset.UnixEpoch;
        var first = new TaskExit("c", "c", 42, 137, at);
        var same = new TaskExit("c", "c", 42, 137, at);
        var other = first with { ExitCode = 0 };
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(same));
            Assert.That(first, Is.Not.EqualTo(other));
        });
    }
}
