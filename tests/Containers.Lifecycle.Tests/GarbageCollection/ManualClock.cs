namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>A clock the test moves by hand, so lease expiry is decided without waiting.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => Now;
}
