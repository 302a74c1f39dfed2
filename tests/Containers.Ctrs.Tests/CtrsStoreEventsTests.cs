using System.Diagnostics;
using System.Globalization;
using System.Text;
using Containers.Images;
using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>
/// ctrs's <c>images</c>, <c>content</c>, <c>snapshots</c> and <c>gc</c> commands publish what the library's services
/// would, and a <c>ctrs events --follow</c> running in another process sees it through the root's journal
/// (real registry, native snapshotter, the published ctrs).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CtrsStoreEventsTests
{
    [Test]
    public async Task Store_commands_publish_their_changes_to_a_follow_in_another_process()
    {
        if (!File.Exists(LocalRegistry.RegistryPath))
        {
            Assert.Ignore($"{LocalRegistry.RegistryPath} is not installed");
        }

        TestHost.RequireRoot("unpacks layers with their owners");
        using TempDirectory dir = new("ctrs-events-");
        await using LocalRegistry registry = await LocalRegistry.StartAsync();
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(dir.Combine("layout"), "v1");
        await OciTestImage.PushWithSkopeoAsync(dir.Combine("layout"), "v1", registry, "ctrs/events");
        string reference = $"{registry.Host}/ctrs/events:v1";
        using TempDirectory root = new("ctrs-root-");
        using Process follow = await StartFollowAsync(root);
        var followed = new StringBuilder();
        follow.OutputDataReceived += (_, e) =>
        {
            lock (followed)
            {
                followed.Append(e.Data).Append('\n');
            }
        };
        follow.BeginOutputReadLine();
        try
        {
            (await CtrsAsync(root, "images", "pull", "--plain-http", reference)).EnsureSuccess("pull");
            ToolResult unpack = await CtrsAsync(root, "images", "unpack", "--snapshotter", "native", reference);
            unpack.EnsureSuccess("unpack");
            string chainId = unpack.StandardOutput.Split(" as ")[1].Split(' ')[0];
            (await CtrsAsync(root, "snapshots", "--snapshotter", "native", "rm", chainId)).EnsureSuccess("snapshots rm");
            (await CtrsAsync(root, "images", "rm", reference)).EnsureSuccess("images rm");
            (await CtrsAsync(root, "content", "rm", image.ConfigDigest)).EnsureSuccess("content rm");
            // An image whose gc.expire passed, written by another program: the collector deletes it and publishes that.
            string past = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
            await new SqliteImageStore(root.Combine("metadata.db"), "default").CreateAsync(new Image("example.invalid/expired:1",
                new Containers.Oci.Image.Descriptor
                {
                    MediaType = "application/vnd.oci.image.manifest.v1+json", Digest = Digest.Parse(image.ManifestDigest), Size = image.ManifestSize,
                })
            { Labels = new Dictionary<string, string> { ["containerd.io/gc.expire"] = past } });
            (await CtrsAsync(root, "gc")).EnsureSuccess("gc");

            string[] expected =
            [
                "/content/create", "/content/create", "/content/create", "/images/create", "/snapshot/prepare", "/snapshot/commit",
                "/snapshot/remove", "/images/delete", "/content/delete", "/images/delete",
            ];
            string[] Topics()
            {
                lock (followed)
                {
                    return followed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[2]).ToArray();
                }
            }

            // ctrs events --follow polls the journal every 200 ms.
            for (int i = 0; i < 100 && Topics().Length < expected.Length; i++)
            {
                await Task.Delay(100);
            }

            string[] lines = (await CtrsAsync(root, "events")).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Multiple(() =>
            {
                Assert.That(Topics(), Is.EqualTo(expected), followed.ToString());
                Assert.That(lines.Select(l => l.Split(' ')[2]), Is.EqualTo(expected), "the journal read afterwards");
                Assert.That(lines[6], Does.Contain($"Key = {chainId}").And.Contain("Snapshotter = native"));
                Assert.That(lines[7], Does.Contain($"Name = {reference}"));
                Assert.That(lines[8], Does.Contain(image.ConfigDigest));
                Assert.That(lines[9], Does.Contain("Name = example.invalid/expired:1"), "the collector's delete of the expired image");
            });
        }
        finally
        {
            follow.Kill();
            await follow.WaitForExitAsync();
        }
    }

    private static async Task<Process> StartFollowAsync(TempDirectory root)
    {
        var start = new ProcessStartInfo(await CtrsProcess.PathAsync()) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])["--root", root.Path, "events", "--follow"])
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("ctrs events --follow did not start");
    }

    private static Task<ToolResult> CtrsAsync(TempDirectory root, params string[] args) => CtrsProcess.RunAsync(root, args);
}
