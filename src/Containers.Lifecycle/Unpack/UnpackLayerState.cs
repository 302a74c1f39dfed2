namespace Containers.Unpack;

/// <summary>What happened to one layer during an unpack.</summary>
public enum UnpackLayerState
{
    /// <summary>The layer is being read from the content store and applied into a prepared snapshot.</summary>
    Applying,

    /// <summary>The layer was applied, its diff id checked and the snapshot committed under its chain id.</summary>
    Applied,

    /// <summary>A committed snapshot with the layer's chain id already existed (or another unpack committed it first).</summary>
    Skipped,
}
