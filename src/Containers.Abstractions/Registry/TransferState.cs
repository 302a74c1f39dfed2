namespace Containers.Registry;

/// <summary>Where one blob is in a download or an upload.</summary>
public enum TransferState
{
    /// <summary>Queued, not started.</summary>
    Waiting,

    /// <summary>Bytes are moving.</summary>
    Transferring,

    /// <summary>All bytes are there; size and digest are being checked.</summary>
    Verifying,

    /// <summary>Transferred and verified.</summary>
    Done,

    /// <summary>Skipped: the destination had the blob already.</summary>
    AlreadyExists,

    /// <summary>Failed; the operation reports the error.</summary>
    Failed,

    /// <summary>Not transferred: the registry mounted the blob from another repository it holds.</summary>
    Mounted,
}
