using System.Text;
using Containers.Leases;
using Containers.Metadata;
using Containers.Testing;
using Microsoft.Data.Sqlite;

namespace Containers.Lifecycle.Tests.Metadata;

/// <summary>
/// A real kill -9 of the metadata writers: a helper process (tests/Containers.Lifecycle.CrashHelper) creates,
/// updates and deletes containers and leases in a loop and is SIGKILLed after a random number of rounds,
/// so at a random point inside a transaction, five times over the same database. After each kill the
/// database must pass SQLite's integrity check, hold no row whose record is gone, hold every record whole
/// (all labels written by one create or one update, or none), and the stores must keep working.
/// </summary>
[NonParallelizable]
public sealed class MetadataKillNineTests
{
    [Test]
    public async Task Containers_and_leases_are_whole_after_kill_nine()
    {
        using var temp = new TempDirectory("meta-kill-");
        string path = temp.Combine("metadata.db");
        string helper = Path.Combine(AppContext.BaseDirectory, "Containers.Lifecycle.CrashHelper.dll");
        Assert.That(File.Exists(helper), Is.True, helper);
        int checkedContainers = 0;
        for (int round = 0; round < 5; round++)
        {
            await KillNine.RunThenKillAsync(helper, [path], Random.Shared.Next(1, 30), maxExtraMilliseconds: 15);

            var database = new MetadataDatabase(path);
            Assert.That(Scalar(path, "PRAGMA integrity_check"), Is.EqualTo("ok"));
            foreach (string orphans in (string[])[
                "SELECT COUNT(*) FROM container_labels l WHERE NOT EXISTS (SELECT 1 FROM containers c WHERE c.namespace = l.namespace AND c.id = l.id)",
                "SELECT COUNT(*) FROM container_extensions e WHERE NOT EXISTS (SELECT 1 FROM containers c WHERE c.namespace = e.namespace AND c.id = e.id)",
                "SELECT COUNT(*) FROM lease_labels l WHERE NOT EXISTS (SELECT 1 FROM leases x WHERE x.namespace = l.namespace AND x.id = l.id)",
                "SELECT COUNT(*) FROM lease_resources r WHERE NOT EXISTS (SELECT 1 FROM leases x WHERE x.namespace = r.namespace AND x.id = r.lease_id)"])
            {
                Assert.That(Scalar(path, orphans), Is.EqualTo(0L), orphans);
            }

            var containers = new SqliteContainerStore(database, "crash");
            await foreach (ContainerRecord container in containers.ListAsync())
            {
                checkedContainers++;
                Assert.That(container.Labels.Keys, Is.EquivalentTo(new[] { "round", "a", "b" }), container.Id);
                Assert.That(container.Labels["a"], Is.EqualTo(container.Labels["b"]), $"{container.Id}: one update changes both labels or neither");
                Assert.That(container.Id, Is.EqualTo("c-" + container.Labels["round"]));
                Assert.That(container.SnapshotKey, Is.EqualTo("k-" + container.Labels["round"]));
                Assert.That(container.Extensions.ContainsKey("x"), Is.True, container.Id);
                Assert.That(Encoding.UTF8.GetString(container.Spec.Span), Is.EqualTo("{\"ociVersion\":\"1.2.0\"}"));
            }

            var leases = new SqliteLeaseManager(database, "crash");
            await foreach (Lease lease in leases.ListAsync())
            {
                Assert.That(lease.Labels.Keys, Is.EquivalentTo(new[] { "round", "kind" }), lease.Id);
                Assert.That(lease.ExpiresAt, Is.Not.Null);
                List<LeaseResource> resources = await leases.ListResourcesAsync(lease.Id).ToListAsync();
                Assert.That(resources, Has.Count.LessThanOrEqualTo(3));
                Assert.That(resources, Has.All.Property(nameof(LeaseResource.Type)).EqualTo(LeaseResource.ContentType));
            }

            // Still usable.
            string id = "after-" + round;
            await containers.CreateAsync(new ContainerRecord(id, new RuntimeInfo("runcs")) { Spec = Encoding.UTF8.GetBytes("{}") });
            await containers.DeleteAsync(id);
        }

        Assert.That(checkedContainers, Is.GreaterThan(0), "the helper left records to check");
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
