using Containers.Linux.Runtime;
using Containers.Linux.Tests.Runc;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Runtime;

/// <summary>
/// <see cref="NamespaceReserve"/>: namespaces made ahead on the calling thread, which goes back to its own, and which
/// containers join only where the clone would have made theirs in the spawner's user namespace. The spare shim's container
/// joining them end to end is <c>ContainerClientSpareShimTests</c> (Lifecycle). The embedding application never unshares
/// (DESIGN.md §2): the tests that fill a reserve do it on a thread of their own, which ends with the test, so no thread of the
/// test host's pool or socket engine is ever in another namespace, even for a moment.
/// </summary>
public sealed class NamespaceReserveTests
{
    [Test]
    public void FillMakesNewNetworkAndIpcNamespacesAndTheThreadKeepsItsOwn()
    {
        RootRequired.Check();
        OnOwnThread(FillMakesNewNamespacesAndTheThreadKeepsItsOwn);
    }

    [Test]
    public void FillMakesOnlyWhatIsAskedAndEachTakeGetsANewOne()
    {
        RootRequired.Check();
        OnOwnThread(FillMakesOnlyWhatIsAskedAndEachTakeGetsANewOneBody);
    }

    private static void FillMakesNewNamespacesAndTheThreadKeepsItsOwn()
    {
        string ownNet = Link("/proc/thread-self/ns/net");
        string ownIpc = Link("/proc/thread-self/ns/ipc");
        using NamespaceReserve reserve = new();

        ContainerNamespaces ready = reserve.Fill(NamespaceReserve.Supported);
        string afterNet = Link("/proc/thread-self/ns/net");
        string afterIpc = Link("/proc/thread-self/ns/ipc");
        using SafeFdHandle? net = reserve.Take(ContainerNamespaces.Network);
        using SafeFdHandle? ipc = reserve.Take(ContainerNamespaces.Ipc);

        Assert.Multiple(() =>
        {
            Assert.That(ready, Is.EqualTo(ContainerNamespaces.Network | ContainerNamespaces.Ipc));
            Assert.That(afterNet, Is.EqualTo(ownNet), "the thread is back in its own network namespace");
            Assert.That(afterIpc, Is.EqualTo(ownIpc), "the thread is back in its own IPC namespace");
            Assert.That(net, Is.Not.Null);
            Assert.That(ipc, Is.Not.Null);
            Assert.That(Link(FdPath(net!)), Does.StartWith("net:[").And.Not.EqualTo(ownNet), "a new network namespace");
            Assert.That(Link(FdPath(ipc!)), Does.StartWith("ipc:[").And.Not.EqualTo(ownIpc), "a new IPC namespace");
            Assert.That(reserve.Ready, Is.EqualTo(ContainerNamespaces.None), "each is taken once");
            Assert.That(reserve.Take(ContainerNamespaces.Network), Is.Null);
        });
    }

    private static void FillMakesOnlyWhatIsAskedAndEachTakeGetsANewOneBody()
    {
        using NamespaceReserve reserve = new();

        ContainerNamespaces first = reserve.Fill(ContainerNamespaces.Network);
        using SafeFdHandle? one = reserve.Take(ContainerNamespaces.Network);
        _ = reserve.Fill(ContainerNamespaces.Network);
        using SafeFdHandle? two = reserve.Take(ContainerNamespaces.Network);
        _ = reserve.Fill(ContainerNamespaces.Network);
        reserve.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(ContainerNamespaces.Network), "no IPC namespace was asked for");
            Assert.That(Link(FdPath(one!)), Is.Not.EqualTo(Link(FdPath(two!))), "a filled reserve gets a namespace of its own each time");
            Assert.That(reserve.Ready, Is.EqualTo(ContainerNamespaces.None), "disposing closes what it holds");
            Assert.That(reserve.Take(ContainerNamespaces.Network), Is.Null);
            Assert.That(() => reserve.Fill(ContainerNamespaces.Network), Throws.TypeOf<ObjectDisposedException>());
        });
    }

    [Test]
    public void FillRefusesOtherTypes()
    {
        using NamespaceReserve reserve = new();

        Assert.That(() => reserve.Fill(ContainerNamespaces.Uts | ContainerNamespaces.Network), Throws.ArgumentException.With.Message.Contains("Uts"));
        Assert.That(reserve.Ready, Is.EqualTo(ContainerNamespaces.None), "nothing was made");
    }

    [Test]
    public void ReservedNamespacesStandInOnlyForNewOnesInTheSpawnersUserNamespace()
    {
        SpawnPlan plain = Plan(new LinuxNamespace { Type = "network" }, new LinuxNamespace { Type = "ipc" });
        SpawnPlan hostNetwork = Plan(new LinuxNamespace { Type = "ipc" });
        SpawnPlan joinedNetwork = Plan(new LinuxNamespace { Type = "network", Path = "/proc/1/ns/net" }, new LinuxNamespace { Type = "ipc" });
        SpawnPlan newUser = Plan(new LinuxNamespace { Type = "network" }, new LinuxNamespace { Type = "ipc" }, new LinuxNamespace { Type = "user" });

        Assert.Multiple(() =>
        {
            Assert.That(ContainerSpawner.ReservedTypes(plain, secondClone: false), Is.EqualTo(new[] { ContainerNamespaces.Network, ContainerNamespaces.Ipc }));
            Assert.That(ContainerSpawner.ReservedTypes(hostNetwork, secondClone: false), Is.EqualTo(new[] { ContainerNamespaces.Ipc }), "no network namespace asked for");
            Assert.That(ContainerSpawner.ReservedTypes(joinedNetwork, secondClone: false), Is.EqualTo(new[] { ContainerNamespaces.Ipc }), "a network namespace joined by path");
            Assert.That(ContainerSpawner.ReservedTypes(newUser, secondClone: false), Is.Empty, "a new user namespace owns its container's namespaces");
            Assert.That(ContainerSpawner.ReservedTypes(plain, secondClone: true), Is.Empty, "a second clone makes them inside joined namespaces");
        });
    }

    private static SpawnPlan Plan(params LinuxNamespace[] extra)
    {
        Spec spec = new()
        {
            OciVersion = "1.0.2",
            Process = new ProcessSpec { Cwd = "/", Args = ["sh"], Env = ["PATH=/bin"] },
            Root = new Root { Path = "rootfs" },
            Linux = new Oci.Runtime.Linux
            {
                Namespaces = [new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "pid" }, .. extra],
                UidMappings = extra.Any(n => n.Type == "user") ? [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }] : null,
                GidMappings = extra.Any(n => n.Type == "user") ? [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }] : null,
            },
        };
        return SpawnPlanFactory.Create(spec, "/bundles/b1", []);
    }

    /// <summary>Runs <paramref name="test"/> on a new thread that ends with it; its assertion failures come back to the caller.</summary>
    private static void OnOwnThread(Action test)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        Thread thread = new(() =>
        {
            try
            {
                test();
            }
            catch (Exception ex)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
    }

    private static string FdPath(SafeFdHandle fd) => "/proc/thread-self/fd/" + fd.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Link(string path) => new FileInfo(path).LinkTarget ?? throw new AssertionException(path + " is not a link");
}
