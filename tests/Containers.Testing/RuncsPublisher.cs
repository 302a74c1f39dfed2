namespace Containers.Testing;

/// <summary>
/// Publishes runcs (NativeAOT) once per test process and hands out its path; RUNCS_PATH points at
/// an already published binary instead.
/// </summary>
public static class RuncsPublisher
{
    /// <summary>The path of the runcs binary.</summary>
    public static Task<string> GetPathAsync() => NativeAotBinary.Runcs.GetPathAsync();
}
