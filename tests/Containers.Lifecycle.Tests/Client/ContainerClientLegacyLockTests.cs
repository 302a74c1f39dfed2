using System.Diagnostics;
using Containers.Client;
using Containers.Images;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// The <c>State/bundles/&lt;ns&gt;/.&lt;id&gt;.lock</c> files hosts before session 15 claimed bundles with: a stale one is
/// removed at the first task create of a host process in the namespace and when its id's task is created or its
/// bundle deleted; one another process holds stays.
/// </summary>
[NonParallelizable]
public sealed class ContainerClientLegacyLockTests : FacadeFixture
{
    [Test]
    public async Task StaleLockFilesOfOlderHostsAreRemovedAndAHeldOneIsKept()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string bundles = Directory.CreateDirectory(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)).FullName;
        string sameId = Path.Combine(bundles, ".legacy-" + suffix + ".lock");
        string otherId = Path.Combine(bundles, ".gone-" + suffix + ".lock");
        string held = Path.Combine(bundles, ".held-" + suffix + ".lock");
        string notALock = Path.Combine(bundles, ".notes-" + suffix);
        foreach (string path in (string[])[sameId, otherId, held, notALock])
        {
            File.WriteAllText(path, "");
        }

        using Process holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--no-fork", held, "sh", "-c", "echo locked; exec sleep 60"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.That(await holder.StandardOutput.ReadLineAsync(timeout.Token), Is.EqualTo("locked"));
            RunResult run = await client.RunAsync(image, ["true"], new RunOptions { Id = "legacy-" + suffix }, timeout.Token);
            bool[] afterRun = [File.Exists(sameId), File.Exists(otherId), File.Exists(held), File.Exists(notALock)];

            // Once its holder is gone, the held one is stale: the delete of its id's container removes it.
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(timeout.Token);
            Container container = await client.CreateContainerAsync("held-" + suffix, image, new ContainerOptions { Args = ["true"] }, timeout.Token);
            await container.DeleteAsync(timeout.Token);

            Assert.Multiple(() =>
            {
                Assert.That(run.ExitCode, Is.EqualTo(0));
                Assert.That(afterRun, Is.EqualTo(new[] { false, false, true, true }), "the same id's and another id's stale files removed; the held one and a non-lock file kept");
                Assert.That(File.Exists(held), Is.False, "removed with its id's bundle once nobody held it");
                Assert.That(Directory.GetFileSystemEntries(bundles), Is.EqualTo(new[] { notALock }));
            });
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }

        File.Delete(notALock);
    }
}
