using Containers.Testing;

// No namespace: NUnit runs a SetUpFixture outside any namespace once around the whole assembly.

/// <summary>Removes the parent cgroups (one per sample's namespace) the samples' containers left, when this run made them.</summary>
[SetUpFixture]
public sealed class SampleCgroupParents
{
    private CgroupParentCleanup? _cleanup;

    /// <summary>Notes which parents do not exist yet.</summary>
    [OneTimeSetUp]
    public void Begin() => _cleanup = CgroupParentCleanup.Begin("/jobhost", "/resource-limits", "/exec-logs");

    /// <summary>Removes those of them that are empty now.</summary>
    [OneTimeTearDown]
    public void End() => _cleanup?.End();
}
