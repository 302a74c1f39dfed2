namespace Containers.Concurrency;

/// <summary>
/// Runs at most one operation per key at a time: callers that ask for a key whose operation is
/// running share its result (or its exception) instead of starting another. Once it completes, the
/// next call for the key starts afresh — results are not cached.
/// </summary>
/// <remarks>
/// The shared operation gets a token of its own that is cancelled only when every caller waiting
/// for it has cancelled, so one impatient caller cannot fail the others.
/// </remarks>
/// <typeparam name="TKey">What identifies an operation, for example a digest.</typeparam>
/// <typeparam name="TResult">What the operation returns.</typeparam>
public sealed class SingleFlight<TKey, TResult>
    where TKey : notnull
{
    private readonly Dictionary<TKey, Flight> _flights;
    private readonly Lock _gate = new();

    /// <summary>Creates an empty set of flights.</summary>
    /// <param name="comparer">How keys compare; the default comparer when null.</param>
    public SingleFlight(IEqualityComparer<TKey>? comparer = null) => _flights = new Dictionary<TKey, Flight>(comparer);

    /// <summary>How many operations are running now.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _flights.Count;
            }
        }
    }

    /// <summary>
    /// Returns the result of <paramref name="operation"/> for <paramref name="key"/>, joining the
    /// running one when there is one.
    /// </summary>
    /// <param name="key">The operation's key.</param>
    /// <param name="operation">Started only when no operation for the key is running.</param>
    /// <param name="cancellationToken">Stops this caller's wait; cancels the operation once no caller waits, and then the last caller returns only after the operation has stopped.</param>
    public async Task<TResult> RunAsync(TKey key, Func<CancellationToken, Task<TResult>> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        Flight flight;
        bool start = false;
        lock (_gate)
        {
            if (!_flights.TryGetValue(key, out flight!))
            {
                flight = new Flight();
                _flights.Add(key, flight);
                start = true;
            }

            flight.Waiters++;
        }

        if (start)
        {
            flight.Completion = FlyAsync(key, flight, operation);
        }

        try
        {
            return await flight.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            bool abandon = false;
            lock (_gate)
            {
                if (--flight.Waiters == 0 && !flight.Result.Task.IsCompleted)
                {
                    // Nobody wants it any more: later callers must not join a flight being cancelled.
                    abandon = true;
                    Forget(key, flight);
                }
            }

            if (abandon)
            {
                await flight.Cancellation.CancelAsync().ConfigureAwait(false);
                // The last caller leaves only once the abandoned operation has stopped, so nothing
                // it started (an ingest being written, a connection) outlives every caller.
                await flight.Completion.ConfigureAwait(false);
            }
        }
    }

    private async Task FlyAsync(TKey key, Flight flight, Func<CancellationToken, Task<TResult>> operation)
    {
        TResult result = default!;
        Exception? error = null;
        try
        {
            // Task.Run: the operation's synchronous part must not run on (or block) the first caller.
            result = await Task.Run(() => operation(flight.Cancellation.Token), flight.Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }

        // Forget before completing, so that a caller who sees the result and asks again starts anew.
        lock (_gate)
        {
            Forget(key, flight);
        }

        if (error is OperationCanceledException canceled)
        {
            flight.Result.TrySetCanceled(canceled.CancellationToken);
        }
        else if (error is not null)
        {
            flight.Result.TrySetException(error);
        }
        else
        {
            flight.Result.TrySetResult(result);
        }
    }

    private void Forget(TKey key, Flight flight)
    {
        if (_flights.TryGetValue(key, out Flight? current) && ReferenceEquals(current, flight))
        {
            _flights.Remove(key);
        }
    }

    private sealed class Flight
    {
        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenSource Cancellation { get; } = new();

        public int Waiters { get; set; }

        /// <summary>The running operation; it never faults (its outcome goes to <see cref="Result"/>).</summary>
        public Task Completion { get; set; } = Task.CompletedTask;
    }
}
