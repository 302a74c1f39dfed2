using Containers.Oci.Image;
using Containers.Testing;

namespace Containers.Images.Tests.Images;

/// <summary><see cref="SqliteImageStore"/>: containerd's image store semantics on a real SQLite file.</summary>
public sealed class SqliteImageStoreTests
{
    private TempDirectory _dir = null!;
    private string _db = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _db = _dir.Combine("metadata.db");
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private static Descriptor Target(string content, string mediaType = MediaTypes.ImageManifest) =>
        Descriptor.FromContent(mediaType, System.Text.Encoding.UTF8.GetBytes(content));

    [Test]
    public async Task Create_get_update_delete_round_trip()
    {
        SqliteImageStore store = new(_db);
        Descriptor target = Target("a");
        target.Annotations = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = "v1" };
        Image created = await store.CreateAsync(new Image("docker.io/library/busybox:latest", target) { Labels = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.That(created.CreatedAt, Is.Not.EqualTo(default(DateTimeOffset)));
        Assert.That(created.UpdatedAt, Is.EqualTo(created.CreatedAt));

        Image got = await store.GetAsync("docker.io/library/busybox:latest");
        Assert.That(got.Target.Digest, Is.EqualTo(target.Digest));
        Assert.That(got.Target.Size, Is.EqualTo(target.Size));
        Assert.That(got.Target.Annotations!["org.opencontainers.image.ref.name"], Is.EqualTo("v1"));
        Assert.That(got.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["k"] = "v" }));
        Assert.That(got.CreatedAt, Is.EqualTo(created.CreatedAt));

        Descriptor other = Target("b", MediaTypes.ImageIndex);
        Image updated = await store.UpdateAsync(new Image(got.Name, other), ["target"]);
        Assert.That(updated.Target.Digest, Is.EqualTo(other.Digest));
        Assert.That(updated.Labels["k"], Is.EqualTo("v"), "labels untouched when only target is named");
        Assert.That(updated.CreatedAt, Is.EqualTo(created.CreatedAt));
        Assert.That(updated.UpdatedAt, Is.GreaterThanOrEqualTo(created.UpdatedAt));

        await store.DeleteAsync(got.Name);
        Assert.ThrowsAsync<NotFoundException>(async () => await store.GetAsync(got.Name));
    }

    [Test]
    public async Task Typed_errors_for_missing_duplicate_and_invalid_records()
    {
        SqliteImageStore store = new(_db);
        await store.CreateAsync(new Image("x", Target("a")));

        AlreadyExistsException exists = Assert.ThrowsAsync<AlreadyExistsException>(async () => await store.CreateAsync(new Image("x", Target("b"))))!;
        Assert.That(exists.Name, Is.EqualTo("x"));
        Assert.That((await store.GetAsync("x")).Target.Digest, Is.EqualTo(Target("a").Digest), "the failed create changed nothing");

        Assert.That(Assert.ThrowsAsync<NotFoundException>(async () => await store.GetAsync("y"))!.Kind, Is.EqualTo("image"));
        Assert.ThrowsAsync<NotFoundException>(async () => await store.UpdateAsync(new Image("y", Target("a"))));
        Assert.ThrowsAsync<NotFoundException>(async () => await store.DeleteAsync("y"));

        Assert.That(Assert.ThrowsAsync<InvalidSpecException>(async () => await store.CreateAsync(new Image("", Target("a"))))!.JsonPath, Is.EqualTo("name"));
        Descriptor noMediaType = Target("a");
        noMediaType.MediaType = "";
        Assert.That(Assert.ThrowsAsync<InvalidSpecException>(async () => await store.CreateAsync(new Image("z", noMediaType)))!.JsonPath, Is.EqualTo("target.mediaType"));
        Descriptor noSize = Target("a");
        noSize.Size = 0;
        Assert.That(Assert.ThrowsAsync<InvalidSpecException>(async () => await store.CreateAsync(new Image("z", noSize)))!.JsonPath, Is.EqualTo("target.size"));
        Assert.That(Assert.ThrowsAsync<InvalidSpecException>(async () => await store.UpdateAsync(new Image("x", Target("a")), ["name"]))!.JsonPath, Is.EqualTo("name"));
        Assert.That(Assert.ThrowsAsync<InvalidSpecException>(async () => await store.UpdateAsync(new Image("x", Target("a")), ["bogus"]))!.JsonPath, Is.EqualTo("bogus"));
        Assert.ThrowsAsync<NotFoundException>(async () => await store.GetAsync("z"));
    }

    [Test]
    public async Task Update_label_paths_set_and_remove_single_labels()
    {
        SqliteImageStore store = new(_db);
        await store.CreateAsync(new Image("x", Target("a")) { Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } });

        Image updated = await store.UpdateAsync(new Image("x", Target("ignored")) { Labels = new Dictionary<string, string> { ["c"] = "3" } }, ["labels.c", "labels.a"]);

        Assert.That(updated.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }));
        Assert.That(updated.Target.Digest, Is.EqualTo(Target("a").Digest), "target not named, so not changed");
        Image replaced = await store.UpdateAsync(new Image("x", Target("a")) { Labels = new Dictionary<string, string> { ["d"] = "4" } }, ["labels"]);
        Assert.That(replaced.Labels, Is.EquivalentTo(new Dictionary<string, string> { ["d"] = "4" }));
    }

    [Test]
    public async Task Compare_and_delete_refuses_another_target()
    {
        SqliteImageStore store = new(_db);
        await store.CreateAsync(new Image("x", Target("a")));

        Assert.ThrowsAsync<FailedPreconditionException>(async () => await store.DeleteAsync("x", Target("b").Digest));
        Assert.That((await store.GetAsync("x")).Name, Is.EqualTo("x"));
        await store.DeleteAsync("x", Target("a").Digest);
        Assert.ThrowsAsync<NotFoundException>(async () => await store.GetAsync("x"));
    }

    [Test]
    public async Task List_filters_on_name_target_and_labels()
    {
        SqliteImageStore store = new(_db);
        await store.CreateAsync(new Image("docker.io/library/busybox:1", Target("a")) { Labels = new Dictionary<string, string> { ["env"] = "prod" } });
        await store.CreateAsync(new Image("docker.io/library/busybox:2", Target("b", MediaTypes.ImageIndex)));
        await store.CreateAsync(new Image("example.com/app:1", Target("c")) { Labels = new Dictionary<string, string> { ["env"] = "dev", ["a.b"] = "x" } });

        async Task<string[]> Names(params string[] filters) => await store.ListAsync(filters).Select(i => i.Name).ToArrayAsync();

        Assert.That(await Names(), Has.Length.EqualTo(3));
        Assert.That(await Names("name~=busybox"), Is.EqualTo(new[] { "docker.io/library/busybox:1", "docker.io/library/busybox:2" }));
        Assert.That(await Names($"target.mediatype=={MediaTypes.ImageIndex}"), Is.EqualTo(new[] { "docker.io/library/busybox:2" }));
        Assert.That(await Names($"target.digest=={Target("c").Digest}"), Is.EqualTo(new[] { "example.com/app:1" }));
        Assert.That(await Names("labels.env==prod", "labels.\"a.b\""), Is.EqualTo(new[] { "docker.io/library/busybox:1", "example.com/app:1" }));
        Assert.That(await Names("labels.env!=prod,name~=busybox"), Is.EqualTo(new[] { "docker.io/library/busybox:2" }));
        Assert.Throws<InvalidFilterException>(() => store.ListAsync(["name=="]));
    }

    [Test]
    public async Task Namespaces_do_not_see_each_other()
    {
        SqliteImageStore a = new(_db, "a");
        SqliteImageStore b = new(_db, "b");
        await a.CreateAsync(new Image("x", Target("a")));
        await b.CreateAsync(new Image("x", Target("b")));

        Assert.That((await a.GetAsync("x")).Target.Digest, Is.EqualTo(Target("a").Digest));
        Assert.That((await b.GetAsync("x")).Target.Digest, Is.EqualTo(Target("b").Digest));
        await a.DeleteAsync("x");
        Assert.That(await a.ListAsync().CountAsync(), Is.Zero);
        Assert.That(await b.ListAsync().CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task Records_survive_reopening_the_database()
    {
        Image created = await new SqliteImageStore(_db).CreateAsync(new Image("x", Target("a")) { Labels = new Dictionary<string, string> { ["k"] = "v" } });

        Image reopened = await new SqliteImageStore(_db).GetAsync("x");

        Assert.That(reopened.CreatedAt, Is.EqualTo(created.CreatedAt));
        Assert.That(reopened.Labels["k"], Is.EqualTo("v"));
    }

    [Test]
    public async Task Concurrent_creates_of_one_name_let_exactly_one_win()
    {
        // Separate store instances: separate connections, as separate processes would have.
        SqliteImageStore[] stores = Enumerable.Range(0, 16).Select(_ => new SqliteImageStore(_db)).ToArray();

        Task<Image>[] attempts = stores.Select((s, i) => Task.Run(async () => await s.CreateAsync(new Image("x", Target("t" + i))))).ToArray();
        try
        {
            await Task.WhenAll(attempts);
        }
        catch (AlreadyExistsException)
        {
        }

        Assert.That(attempts.Count(t => t.IsCompletedSuccessfully), Is.EqualTo(1));
        Assert.That(attempts.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException), Is.All.TypeOf<AlreadyExistsException>());
        Image winner = attempts.Single(t => t.IsCompletedSuccessfully).Result;
        Assert.That((await stores[0].GetAsync("x")).Target.Digest, Is.EqualTo(winner.Target.Digest));
    }

    [Test]
    public async Task Concurrent_label_updates_are_not_lost()
    {
        await new SqliteImageStore(_db).CreateAsync(new Image("x", Target("a")));

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            SqliteImageStore store = new(_db);
            await store.UpdateAsync(new Image("x", Target("a")) { Labels = new Dictionary<string, string> { ["k" + i] = i.ToString() } }, ["labels.k" + i]);
        })));

        Image image = await new SqliteImageStore(_db).GetAsync("x");
        Assert.That(image.Labels.Keys, Is.EquivalentTo(Enumerable.Range(0, 24).Select(i => "k" + i)));
    }

    [Test]
    public async Task Concurrent_create_or_update_and_delete_leave_a_consistent_record()
    {
        SqliteImageStore store = new(_db);
        Descriptor[] targets = Enumerable.Range(0, 8).Select(i => Target("t" + i)).ToArray();

        await Task.WhenAll(targets.Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < 10; i++)
            {
                await ImageRecords.CreateOrUpdateAsync(new SqliteImageStore(_db), "x", t);
                try
                {
                    await new SqliteImageStore(_db).DeleteAsync("x", t.Digest);
                }
                catch (Exception e) when (e is NotFoundException or FailedPreconditionException)
                {
                }
            }
        })));
        await ImageRecords.CreateOrUpdateAsync(store, "x", targets[3]);

        Image image = await store.GetAsync("x");
        Assert.That(image.Target.Digest, Is.EqualTo(targets[3].Digest));
        Assert.That(await store.ListAsync().CountAsync(), Is.EqualTo(1));
    }
}
