// Creates, updates and deletes containers and leases in a metadata database forever, printing each
// finished round, so a test can kill -9 it at arbitrary points and check what the database looks like.
// Every record is written with invariants the test checks: a container has labels "round", "a", "b"
// with a == b (changed together by one update) and an extension "x"; a lease has labels "round" and
// "kind" and holds content resources only for blobs named by its round.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Containers;
using Containers.Leases;
using Containers.Metadata;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

if (args is not [var path])
{
    Console.Error.WriteLine("usage: crash-helper METADATA_DB");
    return 2;
}

var database = new MetadataDatabase(path);
var containers = new SqliteContainerStore(database, "crash");
var leases = new SqliteLeaseManager(database, "crash");
string run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
byte[] spec = Encoding.UTF8.GetBytes("{\"ociVersion\":\"1.2.0\"}");
for (int i = 0; ; i++)
{
    string n = run + "-" + i.ToString(CultureInfo.InvariantCulture);
    await containers.CreateAsync(new ContainerRecord("c-" + n, new RuntimeInfo("runcs"))
    {
        Spec = spec,
        Snapshotter = "overlayfs",
        SnapshotKey = "k-" + n,
        Labels = new Dictionary<string, string> { ["round"] = n, ["a"] = "0", ["b"] = "0" },
        Extensions = new Dictionary<string, ReadOnlyMemory<byte>> { ["x"] = Encoding.UTF8.GetBytes("[" + i.ToString(CultureInfo.InvariantCulture) + "]") },
    });
    string value = (i + 1).ToString(CultureInfo.InvariantCulture);
    await containers.UpdateAsync(new ContainerRecord("c-" + n, new RuntimeInfo("runcs")) { Labels = new Dictionary<string, string> { ["a"] = value, ["b"] = value } }, ["labels.a", "labels.b"]);
    await leases.CreateAsync("l-" + n, TimeSpan.FromHours(1), new Dictionary<string, string> { ["round"] = n, ["kind"] = "crash" });
    for (int r = 0; r < 3; r++)
    {
        byte[] name = SHA256.HashData(Encoding.UTF8.GetBytes(n + "/" + r.ToString(CultureInfo.InvariantCulture)));
        await leases.AddResourceAsync("l-" + n, LeaseResource.ForContent(Digest.Parse("sha256:" + Convert.ToHexStringLower(name))));
    }

    if (i >= 2)
    {
        string old = run + "-" + (i - 2).ToString(CultureInfo.InvariantCulture);
        await containers.DeleteAsync("c-" + old);
        await leases.DeleteAsync("l-" + old);
    }

    Console.WriteLine(n);
    Console.Out.Flush();
}
