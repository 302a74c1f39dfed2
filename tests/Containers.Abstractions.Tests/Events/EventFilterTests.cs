using Containers.Events;

namespace Containers.Abstractions.Tests.Events;

[TestFixture]
public sealed class EventFilterTests
{
    private static readonly EventEnvelope Exit = new(DateTimeOffset.UnixEpoch, "default", EventTopics.TaskExit, new TaskExit("c1", "c1", 10, 0, DateTimeOffset.UnixEpoch));
    private static readonly EventEnvelope ImageCreated = new(DateTimeOffset.UnixEpoch, "build", EventTopics.ImageCreate, new ImageCreate("docker.io/library/busybox:latest", new Dictionary<string, string>()));

    [TestCase(new string[0], true, true)]
    [TestCase(new[] { "topic==/tasks/exit" }, true, false)]
    [TestCase(new[] { "topic==\"/tasks/exit\"" }, true, false)]
    [TestCase(new[] { "topic~=/tasks/.*" }, true, false)]
    [TestCase(new[] { "topic~=^/images/" }, false, true)]
    [TestCase(new[] { "namespace==build" }, false, true)]
    [TestCase(new[] { "topic==/tasks/exit,namespace==build" }, false, false)]
    [TestCase(new[] { "topic==/tasks/exit", "namespace==build" }, true, true)]
    [TestCase(new[] { "topic!=/tasks/exit" }, false, true)]
    [TestCase(new[] { "event.container_id==c1" }, false, false)]
    public void MatchesTopicAndNamespace(string[] filters, bool exitMatches, bool imageMatches)
    {
        var filter = EventFilter.Parse(filters);
        Assert.Multiple(() =>
        {
            Assert.That(filter.Matches(Exit), Is.EqualTo(exitMatches));
            Assert.That(filter.Matches(ImageCreated), Is.EqualTo(imageMatches));
        });
    }

    [TestCase("topic=/tasks/exit")]
    [TestCase("topic==")]
    [TestCase("topic~=[")]
    [TestCase(",topic==x")]
    public void RejectsBadSyntax(string filter)
    {
        Assert.Throws<InvalidFilterException>(() => EventFilter.Parse(filter));
    }

    [Test]
    public void AllLetsEverythingThrough()
    {
        Assert.That(EventFilter.All.Matches(Exit) && EventFilter.All.Matches(ImageCreated), Is.True);
    }
}
