using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// The runcs binary of <see cref="RuncsPublisher"/> (NativeAOT, published once per test process, or
/// RUNCS_PATH), under the name the runtime tests have always used.
/// </summary>
public static class RuncsBinary
{
    private static readonly Lazy<string> Published = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Published.Value;

    // One publish per test process for both names: RuncsPublisher is what the other test projects use.
    private static string Publish() => RuncsPublisher.GetPathAsync().GetAwaiter().GetResult();
}
