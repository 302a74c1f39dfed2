using Containers.Linux.Supervision;

namespace Containers.Linux.Tests.Supervision;

/// <summary>
/// <see cref="JsonContractWarmUp"/>: what a shim started ahead prepares before its first request. Whether the
/// preparation pays is measured (benchmarks/README.md), not asserted; these check that it reaches the nested contracts
/// a request uses and that a type the context has no contract for is skipped, not fatal.
/// </summary>
public sealed class JsonContractWarmUpTests
{
    [Test]
    public void ConfiguresTheRootsAndEveryContractReachableFromThem()
    {
        IReadOnlySet<Type> configured = JsonContractWarmUp.Configure(ShimJsonContext.Default, typeof(ShimResponse));

        Assert.That(configured, Is.SupersetOf(new[]
        {
            typeof(ShimResponse), typeof(ShimExitRecord), typeof(List<ShimPid>), typeof(ShimPid), typeof(List<ShimExecIO>),
            typeof(ShimExecIO), typeof(DateTimeOffset), typeof(string), typeof(int),
        }));
    }

    [Test]
    public void ATypeWithoutAContractInTheContextIsSkipped()
    {
        IReadOnlySet<Type> configured = JsonContractWarmUp.Configure(ShimJsonContext.Default, typeof(Uri), typeof(ShimExecIO));

        Assert.That(configured, Does.Not.Contain(typeof(Uri)));
        Assert.That(configured, Does.Contain(typeof(ShimExecIO)));
    }
}
