namespace Containers.Linux.Tests.Runc;

/// <summary>Container tests need real namespaces and mounts: they run as root or are visibly ignored.</summary>
public static class RootRequired
{
    public static void Check()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root: creates namespaces, mounts and device nodes");
        }
    }
}
