using System.Text;
using Containers.Events;
using Containers.Metadata;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Metadata;

public sealed class SqliteContainerStoreTests
{
    private TempDirectory _dir = null!;
    private MetadataDatabase _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = new MetadataDatabase(Path.Combine(_dir.Path, "metadata.db"));
    }

    [TearDown]
    public void TearDown()
    {
        _db.Dispose();
        _dir.Dispose();
    }

    private static ContainerRecord Sample(string id) => new(id, new RuntimeInfo("runcs") { Options = Encoding.UTF8.GetBytes("{\"root\":\"/run/x\"}") })
    {
        Image = "docker.io/library/busybox:latest",
        Spec = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.2.0\"}"),
        Snapshotter = "overlayfs",
        SnapshotKey = id + "-snapshot",
        Labels = new Dictionary<string, string> { ["env"] = "test", ["team"] = "a" },
        Extensions = new Dictionary<string, ReadOnlyMemory<byte>> { ["x"] = Encoding.UTF8.GetBytes("[1,2]") },
    };

    [Test]
    public async Task CreateThenGetReturnsEveryField()
    {
        var store = new SqliteContainerStore(_db, "default");
        ContainerRecord created = await store.CreateAsync(Sample("web"));
        ContainerRecord got = await store.GetAsync("web");
        Assert.Multiple(() =>
        {
            Assert.That(got.Id, Is.EqualTo("web"));
            Assert.That(got.Image, Is.EqualTo("docker.io/library/busybox:latest"));
            Assert.That(Encoding.UTF8.GetString(got.Spec.Span), Is.EqualTo("{\"ociVersion\":\"1.2.0\"}"));
            Assert.That(got.Snapshotter, Is.EqualTo("overlayfs"));
            Assert.That(got.SnapshotKey, Is.EqualTo("web-snapshot"));
            Assert.That(got.Runtime.Name, Is.EqualTo("runcs"));
            Assert.That(Encoding.UTF8.GetString(got.Runtime.Options.Span), Is.EqualTo("{\"root\":\"/run/x\"}"));
            Assert.That(got.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["env"] = "test", ["team"] = "a" }));
            Assert.That(Encoding.UTF8.GetString(got.Extensions["x"].Span), Is.EqualTo("[1,2]"));
            Assert.That(got.CreatedAt, Is.EqualTo(created.CreatedAt));
            Assert.That(got.CreatedAt, Is.Not.EqualTo(default(DateTimeOffset)));
        });
    }

    [Test]
    public async Task SameIdInTwoNamespacesIsTwoContainers()
    {
        var a = new SqliteContainerStore(_db, "tenant-a");
        var b = new SqliteContainerStore(_db, "tenant-b");
        await a.CreateAsync(Sample("same"));
        await b.CreateAsync(Sample("same") with { Image = "other" });
        await a.DeleteAsync("same");
        Assert.That((await b.GetAsync("same")).Image, Is.EqualTo("other"));
        Assert.ThrowsAsync<NotFoundException>(async () => await a.GetAsync("same"));
    }

    [Test]
    public async Task DuplicateCreateIsAlreadyExistsAndChangesNothing()
    {
        var store = new SqliteContainerStore(_db, "default");
        await store.CreateAsync(Sample("dup"));
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await store.CreateAsync(Sample("dup") with { Image = "changed", Labels = new Dictionary<string, string> { ["new"] = "1" } }));
        ContainerRecord got = await store.GetAsync("dup");
        Assert.That(got.Image, Is.EqualTo("docker.io/library/busybox:latest"));
        Assert.That(got.Labels.ContainsKey("new"), Is.False);
    }

    [TestCase("", "identifier must not be empty")]
    [TestCase("-lead", "must match")]
    [TestCase("trail.", "must match")]
    [TestCase("dou..ble", "must match")]
    [TestCase("sp ace", "must match")]
    [TestCase("slash/x", "must match")]
    public void InvalidIdIsRefusedNamingTheField(string id, string problem)
    {
        var store = new SqliteContainerStore(_db, "default");
        var e = Assert.ThrowsAsync<InvalidSpecException>(async () => await store.CreateAsync(Sample(id)));
        Assert.That(e!.JsonPath, Is.EqualTo("id"));
        Assert.That(e.Problem, Does.Contain(problem));
    }

    [Test]
    public void IdentifierRulesMatchContainerd()
    {
        Assert.DoesNotThrow(() => Identifiers.Validate("a", "id"));
        Assert.DoesNotThrow(() => Identifiers.Validate("a.b_c-d9", "id"));
        Assert.DoesNotThrow(() => Identifiers.Validate(new string('x', 76), "id"));
        Assert.That(() => Identifiers.Validate(new string('x', 77), "id"), Throws.TypeOf<InvalidSpecException>().With.Property("Problem").Contains("maximum length (76"));
        Assert.That(() => Identifiers.Validate("a-_b", "id"), Throws.TypeOf<InvalidSpecException>());
        Assert.That(() => new SqliteContainerStore(_db, "bad ns"), Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("namespace"));
    }

    [Test]
    public void EmptyRuntimeNameIsRefused()
    {
        var store = new SqliteContainerStore(_db, "default");
        var e = Assert.ThrowsAsync<InvalidSpecException>(async () => await store.CreateAsync(Sample("c1") with { Runtime = new RuntimeInfo("") }));
        Assert.That(e!.JsonPath, Is.EqualTo("runtime.name"));
    }

    [Test]
    public async Task UpdateWithFieldPathsChangesOnlyThoseFields()
    {
        var store = new SqliteContainerStore(_db, "default");
        ContainerRecord created = await store.CreateAsync(Sample("u"));
        var change = created with
        {
            Image = "changed-image",
            Labels = new Dictionary<string, string> { ["env"] = "prod", ["team"] = "" },
            Spec = Encoding.UTF8.GetBytes("{}"),
        };
        ContainerRecord updated = await store.UpdateAsync(change, ["labels.env", "labels.team"]);
        Assert.Multiple(() =>
        {
            Assert.That(updated.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["env"] = "prod" }), "an empty value deletes the label, as in containerd");
            Assert.That(updated.Image, Is.EqualTo("docker.io/library/busybox:latest"));
            Assert.That(Encoding.UTF8.GetString(updated.Spec.Span), Is.EqualTo("{\"ociVersion\":\"1.2.0\"}"));
            Assert.That(updated.UpdatedAt, Is.GreaterThanOrEqualTo(created.UpdatedAt));
        });
        ContainerRecord got = await store.GetAsync("u");
        Assert.That(got.Labels, Is.EquivalentTo(updated.Labels));

        await store.UpdateAsync(change, ["image", "spec"]);
        got = await store.GetAsync("u");
        Assert.That(got.Image, Is.EqualTo("changed-image"));
        Assert.That(Encoding.UTF8.GetString(got.Spec.Span), Is.EqualTo("{}"));
    }

    [TestCase("runtime")]
    [TestCase("snapshotter")]
    [TestCase("bogus")]
    public async Task UpdateOfImmutableOrUnknownFieldIsRefusedAndChangesNothing(string path)
    {
        var store = new SqliteContainerStore(_db, "default");
        ContainerRecord created = await store.CreateAsync(Sample("imm"));
        var e = Assert.ThrowsAsync<InvalidSpecException>(async () => await store.UpdateAsync(created with { Image = "x" }, ["image", path]));
        Assert.That(e!.JsonPath, Is.EqualTo(path));
        Assert.That((await store.GetAsync("imm")).Image, Is.EqualTo(created.Image));
    }

    [Test]
    public async Task FullReplaceRefusesRuntimeChange()
    {
        var store = new SqliteContainerStore(_db, "default");
        ContainerRecord created = await store.CreateAsync(Sample("full"));
        Assert.ThrowsAsync<InvalidSpecException>(async () => await store.UpdateAsync(created with { Runtime = new RuntimeInfo("runc") }));
        ContainerRecord replaced = await store.UpdateAsync(created with { Labels = new Dictionary<string, string>(), Extensions = new Dictionary<string, ReadOnlyMemory<byte>>() });
        Assert.That(replaced.Labels, Is.Empty);
        Assert.That((await store.GetAsync("full")).Extensions, Is.Empty);
    }

    [Test]
    public void UpdateOrDeleteOfMissingIsNotFound()
    {
        var store = new SqliteContainerStore(_db, "default");
        Assert.ThrowsAsync<NotFoundException>(async () => await store.UpdateAsync(Sample("missing")));
        Assert.ThrowsAsync<NotFoundException>(async () => await store.DeleteAsync("missing"));
    }

    [Test]
    public async Task ListAppliesContainerdFilters()
    {
        var store = new SqliteContainerStore(_db, "default");
        await store.CreateAsync(Sample("a1"));
        await store.CreateAsync(Sample("a2") with { Labels = new Dictionary<string, string> { ["env"] = "prod" } });
        await store.CreateAsync(Sample("b1") with { Runtime = new RuntimeInfo("io.containerd.runc.v2"), Image = "alpine", Labels = new Dictionary<string, string>() });
        await new SqliteContainerStore(_db, "other").CreateAsync(Sample("a3"));

        async Task<string[]> Ids(params string[] filters)
        {
            var ids = new List<string>();
            await foreach (ContainerRecord r in store.ListAsync(filters))
            {
                ids.Add(r.Id);
            }

            return [.. ids];
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Ids(), Is.EqualTo(new[] { "a1", "a2", "b1" }));
            Assert.That(await Ids("labels.env==prod"), Is.EqualTo(new[] { "a2" }));
            Assert.That(await Ids("labels.env"), Is.EqualTo(new[] { "a1", "a2" }));
            Assert.That(await Ids("runtime.name==io.containerd.runc.v2"), Is.EqualTo(new[] { "b1" }));
            Assert.That(await Ids("id~=^a", "image==alpine"), Is.EqualTo(new[] { "a1", "a2", "b1" }));
            Assert.That(await Ids("id~=^a,labels.env!=prod"), Is.EqualTo(new[] { "a1" }));
            Assert.That(await Ids("snapshotkey==b1-snapshot"), Is.EqualTo(new[] { "b1" }));
        });
        Assert.ThrowsAsync<InvalidFilterException>(async () => await Ids("id=="));
    }

    [Test]
    public async Task ChangesArePublishedAfterCommit()
    {
        var bus = new InProcessEventBus();
        using var cts = new CancellationTokenSource();
        await using IAsyncEnumerator<EventEnvelope> events = bus.SubscribeAsync(EventFilter.Parse("topic~=^/containers/"), cts.Token).GetAsyncEnumerator();
        var store = new SqliteContainerStore(_db, "ns1", bus);
        ContainerRecord created = await store.CreateAsync(Sample("ev"));
        await store.UpdateAsync(created, ["labels"]);
        await store.DeleteAsync("ev");

        var topics = new List<string>();
        for (int i = 0; i < 3 && await events.MoveNextAsync(); i++)
        {
            topics.Add(events.Current.Topic);
            Assert.That(events.Current.Namespace, Is.EqualTo("ns1"));
        }

        Assert.That(topics, Is.EqualTo(new[] { EventTopics.ContainerCreate, EventTopics.ContainerUpdate, EventTopics.ContainerDelete }));
    }

    [Test]
    public async Task RecordsSurviveReopeningTheDatabase()
    {
        await new SqliteContainerStore(_db, "default").CreateAsync(Sample("persist"));
        var reopened = new SqliteContainerStore(new MetadataDatabase(_db.Path), "default");
        Assert.That((await reopened.GetAsync("persist")).SnapshotKey, Is.EqualTo("persist-snapshot"));
    }
}
