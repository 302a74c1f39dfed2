using Containers.Diff;
using Containers.Snapshots.Apply;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// A scratch area per test: <c>work/root</c> is where layers are applied, and everything else in
/// <c>work</c> is the sentinel that no layer may change.
/// </summary>
internal abstract class ApplyFixture
{
    protected string Work { get; private set; } = null!;

    protected string Root { get; private set; } = null!;

    protected LayerApplier Applier { get; } = new();

    [SetUp]
    public void CreateScratch()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("layer apply tests need root (owners, devices, security xattrs)");
        }

        Work = Path.Combine(Path.GetTempPath(), "applier-tests", TestContext.CurrentContext.Test.Name.Replace('/', '_') + "-" + Guid.NewGuid().ToString("N")[..8]);
        Root = Path.Combine(Work, "root");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Path.Combine(Work, "etc"));
        File.WriteAllText(Path.Combine(Work, "etc", "passwd"), "outside");
        File.WriteAllText(Path.Combine(Work, "etc", "unbroken"), "outside");
        Directory.CreateDirectory(Path.Combine(Work, "sentinel"));
        File.WriteAllText(Path.Combine(Work, "sentinel", "file"), "sentinel");
    }

    [TearDown]
    public void RemoveScratch()
    {
        if (Work is not null && Directory.Exists(Work))
        {
            Directory.Delete(Work, recursive: true);
        }
    }

    /// <summary>The state of everything next to the root (the root itself excluded).</summary>
    protected List<string> Outside() =>
        TreeSnapshot.Capture(Work, withTimes: true, exclude: rel => rel == "root");

    protected Task<LayerApplyResult> ApplyAsync(byte[] layer, LayerApplyOptions? options = null) =>
        Applier.ApplyAsync(new MemoryStream(layer), Root, options ?? LayerApplyOptions.Default);

    protected string InRoot(string path) => Path.Combine(Root, path.TrimStart('/'));
}
