using Containers.Diff;
using Containers.Snapshots.Apply;

namespace Containers.Lifecycle.Tests.Unpack;

/// <summary>
/// The real <see cref="LayerApplier"/>, held before one chosen layer until the test releases it: the
/// unpack then sits mid-layer, its extraction snapshot prepared and the earlier layers committed.
/// </summary>
internal sealed class HoldingLayerApplier : ILayerApplier
{
    private readonly LayerApplier _inner = new();
    private readonly int _holdAtCall;
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    /// <param name="holdAtCall">Which apply (1-based) waits for <see cref="Release"/>.</param>
    public HoldingLayerApplier(int holdAtCall) => _holdAtCall = holdAtCall;

    /// <summary>Completes when the held apply has started (its snapshot exists).</summary>
    public Task Entered => _entered.Task;

    public void Release() => _released.TrySetResult();

    public async Task<LayerApplyResult> ApplyAsync(Stream layer, string rootDirectory, LayerApplyOptions options, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _calls) == _holdAtCall)
        {
            // Something of the layer is in the tree already, as in a real apply cut short.
            await File.WriteAllTextAsync(Path.Combine(rootDirectory, ".held"), "", cancellationToken);
            _entered.TrySetResult();
            await _released.Task.WaitAsync(cancellationToken);
            File.Delete(Path.Combine(rootDirectory, ".held"));
        }

        return await _inner.ApplyAsync(layer, rootDirectory, options, cancellationToken);
    }
}
