namespace Containers.Linux.Supervision;

/// <summary>One accepted client of the task API and the bytes of its partial frame.</summary>
internal sealed class ShimConnection(SafeFdHandle socket)
{
    /// <summary>The connected socket.</summary>
    public SafeFdHandle Socket { get; } = socket;

    /// <summary>Received bytes not yet parsed into a frame.</summary>
    public MemoryStream Pending { get; } = new();

    /// <summary>The process whose exit this connection waits for, if any.</summary>
    public ShimProcess? Waiting { get; set; }

    /// <summary>The task whose next OOM notification this connection waits for, if any.</summary>
    public ShimTask? WaitingOom { get; set; }

    /// <summary>Whether a request of this connection is held until something happens.</summary>
    public bool IsWaiting => Waiting is not null || WaitingOom is not null;
}
