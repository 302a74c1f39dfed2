using Containers.Testing;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>Finds the seccomp test data in the source tree.</summary>
internal static class SeccompTestData
{
    public static string PathOf(string name)
        => Path.Combine(TestHost.RepositoryRoot(), "tests", "Containers.Linux.Tests", "Seccomp", "TestData", name);
}
