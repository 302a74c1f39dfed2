namespace Containers.Registry;

/// <summary>The stage a push is in.</summary>
public enum PushPhase
{
    /// <summary>Reading the index and manifests from the content store and checking every blob is there.</summary>
    Walking,

    /// <summary>Uploading (or mounting, or skipping) configs and layers.</summary>
    PushingBlobs,

    /// <summary>Uploading manifests, children first, then the index.</summary>
    PushingManifests,

    /// <summary>Pointing the tag at the root.</summary>
    Tagging,

    /// <summary>Finished.</summary>
    Done,
}
