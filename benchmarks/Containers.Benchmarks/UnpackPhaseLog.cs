using System.Diagnostics;
using System.Globalization;
using Containers.Unpack;

namespace Containers.Benchmarks;

/// <summary>
/// With <c>UNPACK_PHASES=1</c>, the unpack mode writes to stderr when each phase of the process ends, in
/// milliseconds since the process started (the kernel's start time, 10 ms resolution): entering Main, the
/// stores opened, and each layer's start and end. It reports synchronously on the unpacking thread (not
/// through <see cref="Progress{T}"/>, which posts to the thread pool and would time the pool instead).
/// </summary>
internal sealed class UnpackPhaseLog : IProgress<UnpackProgress>
{
    private readonly DateTime _start = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static UnpackPhaseLog? FromEnvironment() =>
        Environment.GetEnvironmentVariable("UNPACK_PHASES") == "1" ? new UnpackPhaseLog() : null;

    public void Mark(string phase) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"phase {(DateTime.UtcNow - _start).TotalMilliseconds,8:F0} ms  {phase}"));

    public void Report(UnpackProgress value) => Mark($"layer {value.Index} {value.State}");
}
