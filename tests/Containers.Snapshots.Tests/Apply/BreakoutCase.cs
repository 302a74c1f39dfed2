namespace Containers.Snapshots.Tests.Apply;

/// <summary>One of containerd's TestBreakouts cases (pkg/archive/tar_test.go).</summary>
/// <param name="Name">containerd's case name.</param>
/// <param name="Layer">Builds the layer; gets the work directory next to the root.</param>
/// <param name="Setup">The tree before the layer (containerd's fstest applier), or null.</param>
/// <param name="ExpectInvalid">Whether containerd expects errInvalidArchive.</param>
/// <param name="Validate">containerd's validator, given the root and the work directory.</param>
internal sealed record BreakoutCase(
    string Name,
    Func<string, TarBuilder> Layer,
    Action<string>? Setup,
    bool ExpectInvalid,
    Action<string, string>? Validate)
{
    public override string ToString() => Name;
}
