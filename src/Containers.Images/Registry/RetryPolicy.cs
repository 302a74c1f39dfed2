namespace Containers.Registry;

/// <summary>
/// How registry requests are retried: on 5xx, 429 and dropped connections, with exponential
/// backoff and jitter, honouring <c>Retry-After</c>. Requests that changed state (a finished PUT)
/// are never repeated blindly.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Attempts in total, the first included. 1 disables retries.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait before the second attempt; it doubles for each further attempt.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between two attempts, <c>Retry-After</c> included.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before attempt <paramref name="attempt"/> (2 for the first retry).</summary>
    internal TimeSpan DelayBefore(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } requested)
        {
            return requested < TimeSpan.Zero ? TimeSpan.Zero : requested > MaxDelay ? MaxDelay : requested;
        }

        double exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 2));
        // Up to 20 % jitter so concurrent pulls that failed together do not retry together.
        double jittered = exponential * (1 + (Random.Shared.NextDouble() * 0.2));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
    }
}
