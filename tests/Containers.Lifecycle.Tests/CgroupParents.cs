using Containers.Testing;

// No namespace: NUnit runs a SetUpFixture outside any namespace once around the whole assembly.

/// <summary>Removes the parent cgroups this assembly's containers left behind (see <see cref="CgroupParentCleanup"/>).</summary>
[SetUpFixture]
public sealed class CgroupParents
{
    private CgroupParentCleanup? _cleanup;

    /// <summary>Notes the parents that do not exist yet.</summary>
    [OneTimeSetUp]
    public void Begin() => _cleanup = CgroupParentCleanup.Begin("/containers-dotnet", "/lifecycle-tests", "/" + Containers.Lifecycle.Tests.Client.FacadeTestBed.Namespace);

    /// <summary>Removes those of them that are empty now.</summary>
    [OneTimeTearDown]
    public void End() => _cleanup?.End();
}
