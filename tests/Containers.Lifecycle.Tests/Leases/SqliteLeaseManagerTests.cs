using Containers.Leases;
using Containers.Metadata;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Leases;

public sealed class SqliteLeaseManagerTests
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

    private static async Task<List<T>> All<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }

    [Test]
    public async Task CreateWithIdLabelsAndExpiry()
    {
        var leases = new SqliteLeaseManager(_db, "default");
        Lease lease = await leases.CreateAsync("pull-1", TimeSpan.FromHours(1), new Dictionary<string, string> { ["purpose"] = "pull" });
        Assert.That(lease.ExpiresAt - lease.CreatedAt, Is.EqualTo(TimeSpan.FromHours(1)));
        Lease listed = (await All(leases.ListAsync())).Single();
        Assert.Multiple(() =>
        {
            Assert.That(listed.Id, Is.EqualTo("pull-1"));
            Assert.That(listed.ExpiresAt, Is.EqualTo(lease.ExpiresAt));
            Assert.That(listed.CreatedAt, Is.EqualTo(lease.CreatedAt));
            Assert.That(listed.Labels, Is.EquivalentTo(lease.Labels));
        });
    }

    [Test]
    public async Task GeneratedIdsAreValidAndDistinct()
    {
        var leases = new SqliteLeaseManager(_db, "default");
        Lease a = await leases.CreateAsync();
        Lease b = await leases.CreateAsync();
        Assert.That(a.Id, Is.Not.EqualTo(b.Id));
        Assert.DoesNotThrow(() => Identifiers.Validate(a.Id, "id"));
        Assert.That(a.ExpiresAt, Is.Null);
    }

    [Test]
    public async Task DuplicateInvalidAndMissingAreTypedErrors()
    {
        var leases = new SqliteLeaseManager(_db, "default");
        await leases.CreateAsync("l1");
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await leases.CreateAsync("l1"));
        Assert.That(async () => await leases.CreateAsync("bad id"), Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("id"));
        Assert.That(async () => await leases.CreateAsync("l2", TimeSpan.Zero), Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("expiration"));
        Assert.ThrowsAsync<NotFoundException>(async () => await leases.DeleteAsync("nope"));
        Assert.ThrowsAsync<NotFoundException>(async () => await leases.AddResourceAsync("nope", LeaseResource.ForIngest("r")));
        Assert.That((await All(leases.ListAsync())).Select(l => l.Id), Is.EqualTo(new[] { "l1" }), "failed creates left nothing behind");
    }

    [Test]
    public async Task ResourcesAddRemoveAndListAsContainerd()
    {
        var leases = new SqliteLeaseManager(_db, "default");
        await leases.CreateAsync("l");
        Digest digest = Digest.Parse("sha256:" + new string('b', 64));
        await leases.AddResourceAsync("l", LeaseResource.ForContent(digest));
        await leases.AddResourceAsync("l", LeaseResource.ForContent(digest)); // twice: no-op
        await leases.AddResourceAsync("l", LeaseResource.ForSnapshot("overlayfs", "layer-1"));
        await leases.AddResourceAsync("l", LeaseResource.ForIngest("ref-1"));
        Assert.That(await All(leases.ListResourcesAsync("l")), Is.EqualTo(new[]
        {
            LeaseResource.ForContent(digest), LeaseResource.ForIngest("ref-1"), LeaseResource.ForSnapshot("overlayfs", "layer-1"),
        }));

        await leases.DeleteResourceAsync("l", LeaseResource.ForIngest("ref-1"));
        await leases.DeleteResourceAsync("l", LeaseResource.ForIngest("not-held")); // no-op
        Assert.That(await All(leases.ListResourcesAsync("l")), Has.Count.EqualTo(2));

        Assert.That(async () => await leases.AddResourceAsync("l", new LeaseResource("x", "images")), Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("resource.type"));
        Assert.That(async () => await leases.AddResourceAsync("l", new LeaseResource("not-a-digest", "content")), Throws.TypeOf<InvalidSpecException>().With.Property("JsonPath").EqualTo("resource.id"));
        Assert.That(async () => await leases.AddResourceAsync("l", new LeaseResource("k", "snapshots/")), Throws.TypeOf<InvalidSpecException>());

        await leases.DeleteAsync("l");
        await leases.CreateAsync("l");
        Assert.That(await All(leases.ListResourcesAsync("l")), Is.Empty, "deleting a lease drops its references");
    }

    [Test]
    public async Task ListFiltersAndNamespacesAreSeparate()
    {
        var a = new SqliteLeaseManager(_db, "a");
        var b = new SqliteLeaseManager(_db, "b");
        await a.CreateAsync("x", labels: new Dictionary<string, string> { ["kind"] = "pull" });
        await a.CreateAsync("y", labels: new Dictionary<string, string> { ["kind"] = "unpack" });
        await b.CreateAsync("x");
        Assert.That((await All(a.ListAsync(["labels.kind==pull"]))).Select(l => l.Id), Is.EqualTo(new[] { "x" }));
        Assert.That((await All(a.ListAsync(["id==y", "id==x"]))).Select(l => l.Id), Is.EqualTo(new[] { "x", "y" }));
        Assert.That((await All(b.ListAsync(["labels.kind"]))), Is.Empty);
        await b.DeleteAsync("x");
        Assert.That((await All(a.ListAsync())).Count, Is.EqualTo(2));
    }
}
