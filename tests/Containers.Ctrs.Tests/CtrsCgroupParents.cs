using Containers.Testing;

// No namespace: NUnit runs a SetUpFixture outside any namespace once around the whole assembly.

/// <summary>Removes the parent cgroup (<c>/&lt;namespace&gt;</c>) the ctrs run tests' containers left behind, when this run made it.</summary>
[SetUpFixture]
public sealed class CtrsCgroupParents
{
    private CgroupParentCleanup? _cleanup;

    /// <summary>Notes whether the parent exists yet.</summary>
    [OneTimeSetUp]
    public void Begin() => _cleanup = CgroupParentCleanup.Begin("/" + Containers.Ctrs.Tests.CtrsRunTests.Namespace);

    /// <summary>Removes it when empty.</summary>
    [OneTimeTearDown]
    public void End() => _cleanup?.End();
}
