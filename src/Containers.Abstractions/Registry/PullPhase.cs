namespace Containers.Registry;

/// <summary>The stage a pull is in.</summary>
public enum PullPhase
{
    /// <summary>Asking the registry what the reference points at.</summary>
    Resolving,

    /// <summary>Fetching the index, manifests and config.</summary>
    FetchingManifests,

    /// <summary>Fetching layers.</summary>
    FetchingLayers,

    /// <summary>Applying layers into snapshots.</summary>
    Unpacking,

    /// <summary>Finished.</summary>
    Done,
}
