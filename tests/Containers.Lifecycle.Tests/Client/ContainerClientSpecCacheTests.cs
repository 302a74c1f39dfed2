using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// The spec's user and group look-ups from a remembered image top (no rootfs mount; <c>SpecRootfsCache</c>):
/// later creates give the same ids, a caller's own spec option still gets the mounted rootfs (real containers, root).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientSpecCacheTests : FacadeFixture
{
    [Test]
    public async Task LaterCreatesReadTheImagesUsersWithoutAMountAndACallersOptionStillGetsTheRootfs()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        static ContainerOptions As(string? user, SpecOption? extra = null)
        {
            ContainerOptions options = new() { Args = ["true"] };
            if (user is not null)
            {
                options.Spec.Add(SpecOptions.WithUser(user));
            }

            if (extra is not null)
            {
                options.Spec.Add(extra);
            }

            return options;
        }

        Container first = await client.CreateContainerAsync("sc-first", image, As("daemon"));
        // Any later mount for a spec now fails: the directory its view would be made in is a file.
        string views = Path.Combine(Bed.State, "spec-rootfs");
        Directory.Delete(views);
        await File.WriteAllTextAsync(views, "not a directory");
        Container nobody = await client.CreateContainerAsync("sc-nobody", image, As("nobody"));
        Container root = await client.CreateContainerAsync("sc-root", image, As(null));
        bool? sawPasswd = null;
        SpecOption callers = (context, _, _) =>
        {
            sawPasswd = context.RootfsPath is { } rootfs && File.Exists(Path.Combine(rootfs, "etc", "passwd"));
            return ValueTask.CompletedTask;
        };
        Assert.That(async () => await client.CreateContainerAsync("sc-callers", image, As("nobody", callers)), Throws.InstanceOf<IOException>(),
            "a caller's option makes the create mount the rootfs (which fails here)");
        Assert.That(async () => await client.LoadContainerAsync("sc-callers"), Throws.TypeOf<NotFoundException>(), "the failed create left no record");
        File.Delete(views);
        Container callersOk = await client.CreateContainerAsync("sc-callers", image, As("nobody", callers));

        static ProcessUser UserOf(Container container) => container.Spec.Process?.User ?? throw new AssertionException("no process user");
        Assert.Multiple(() =>
        {
            Assert.That((UserOf(first).Uid, UserOf(first).Gid), Is.EqualTo((1u, 1u)));
            Assert.That((UserOf(nobody).Uid, UserOf(nobody).Gid), Is.EqualTo((65534u, 65534u)), "from the remembered /etc/passwd");
            Assert.That(UserOf(root).AdditionalGids, Is.EqualTo(new uint[] { 0, 10 }), "root's groups (wheel) from the remembered /etc/group");
            Assert.That(sawPasswd, Is.True, "the caller's option saw the mounted rootfs");
            Assert.That((UserOf(callersOk).Uid, UserOf(callersOk).Gid), Is.EqualTo((65534u, 65534u)));
        });
        foreach (Container container in new[] { first, nobody, root, callersOk })
        {
            await container.DeleteAsync();
        }

        Assert.That(Bed.MountsUnder(), Is.Empty);
    }

    [Test]
    public async Task OnlyTheLibrarysOptionsCountAsOwnAndLargeFilesAreNotKept()
    {
        using TempDirectory rootfs = new("spec-cache-");
        Directory.CreateDirectory(rootfs.Combine("etc"));
        await File.WriteAllTextAsync(rootfs.Combine("etc", "passwd"), "app:x:1000:1000::/:/bin/sh\n");
        SpecRootfsCache cache = new();
        await cache.RememberAsync("sha256:small", rootfs.Path, CancellationToken.None);
        await File.WriteAllTextAsync(rootfs.Combine("etc", "group"), new string('#', SpecRootfsCache.MaxCachedFileLength + 1));
        await cache.RememberAsync("sha256:large", rootfs.Path, CancellationToken.None);
        Func<string, CancellationToken, ValueTask<string?>>? reader = cache.ReaderFor("sha256:small");
        Assert.That(reader, Is.Not.Null);
        string? passwd = await reader!("/etc/passwd", CancellationToken.None);
        string? group = await reader("/etc/group", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(SpecRootfsCache.AllOwn([SpecOptions.WithUser("app"), SpecOptions.WithHostname("h")]), Is.True);
            Assert.That(SpecRootfsCache.AllOwn([SpecOptions.WithUser("app"), (_, _, _) => ValueTask.CompletedTask]), Is.False, "a caller's lambda");
            Assert.That(passwd, Is.EqualTo("app:x:1000:1000::/:/bin/sh\n"));
            Assert.That(group, Is.Null, "absent when remembered");
            Assert.That(cache.ReaderFor("sha256:large"), Is.Null, "a file over the limit is read from a mount each time");
            Assert.That(cache.ReaderFor("sha256:other"), Is.Null);
        });
    }
}
