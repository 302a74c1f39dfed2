using Containers.Metadata;
using Microsoft.Extensions.Options;

namespace Containers.DependencyInjection;

/// <summary>Checks <see cref="ContainerRuntimeOptions"/>: absolute distinct directories, a valid namespace, a positive queue size, warm-shim settings in range.</summary>
internal sealed class ContainerRuntimeOptionsValidator : IValidateOptions<ContainerRuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, ContainerRuntimeOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.Root) || !Path.IsPathFullyQualified(options.Root))
        {
            failures.Add($"Root: \"{options.Root}\" must be an absolute path");
        }

        if (string.IsNullOrEmpty(options.State) || !Path.IsPathFullyQualified(options.State))
        {
            failures.Add($"State: \"{options.State}\" must be an absolute path");
        }
        else if (string.Equals(Path.TrimEndingDirectorySeparator(options.State), Path.TrimEndingDirectorySeparator(options.Root ?? string.Empty), StringComparison.Ordinal))
        {
            failures.Add("State: must differ from Root (state is volatile, root persists)");
        }

        try
        {
            Identifiers.Validate(options.Namespace, "Namespace");
        }
        catch (InvalidSpecException e)
        {
            failures.Add($"Namespace: {e.Problem}");
        }

        if (string.IsNullOrEmpty(options.Snapshotter))
        {
            failures.Add("Snapshotter: must be set");
        }

        foreach ((string snapshotter, Func<IServiceProvider, Containers.Snapshots.ISnapshotter> factory) in options.Snapshotters)
        {
            try
            {
                Identifiers.Validate(snapshotter, "snapshotters");
            }
            catch (InvalidSpecException e)
            {
                failures.Add($"Snapshotters[{snapshotter}]: {e.Problem}");
            }

            if (factory is null)
            {
                failures.Add($"Snapshotters[{snapshotter}]: has no factory");
            }
        }

        if (string.IsNullOrEmpty(options.RuncsPath))
        {
            failures.Add("RuncsPath: must be set");
        }

        if (options.Runtime is not null && !Path.IsPathFullyQualified(options.Runtime))
        {
            failures.Add($"Runtime: \"{options.Runtime}\" must be an absolute path to a runc-compatible binary");
        }

        if (options.EventSubscriberCapacity < 1)
        {
            failures.Add($"EventSubscriberCapacity: must be at least 1, got {options.EventSubscriberCapacity}");
        }

        if (options.Gc is null)
        {
            failures.Add("Gc: must be set");
        }
        else
        {
            if (double.IsNaN(options.Gc.PauseThreshold) || options.Gc.PauseThreshold is < 0 or > 0.5)
            {
                failures.Add($"Gc.PauseThreshold: must be from 0 to 0.5, got {options.Gc.PauseThreshold}");
            }

            if (options.Gc.DeletionThreshold < 0)
            {
                failures.Add($"Gc.DeletionThreshold: must be 0 or more, got {options.Gc.DeletionThreshold}");
            }

            if (options.Gc.MutationThreshold < 0)
            {
                failures.Add($"Gc.MutationThreshold: must be 0 or more, got {options.Gc.MutationThreshold}");
            }

            if (options.Gc.ScheduleDelay < TimeSpan.Zero || options.Gc.StartupDelay < TimeSpan.Zero)
            {
                failures.Add("Gc.ScheduleDelay and Gc.StartupDelay: must not be negative");
            }
        }

        if (options.WarmShims < 0)
        {
            failures.Add($"WarmShims: must be 0 or more, got {options.WarmShims}");
        }

        if (options.WarmShimIdleTimeout <= TimeSpan.Zero)
        {
            failures.Add($"WarmShimIdleTimeout: must be positive, got {options.WarmShimIdleTimeout}");
        }

        if (options.SpareShimDelay < TimeSpan.Zero || options.SpareShimDelay.TotalMilliseconds > int.MaxValue)
        {
            failures.Add($"SpareShimDelay: must be zero or more (and under 24 days), got {options.SpareShimDelay}");
        }

        if (options.ShimGroupIdleTimeout is { } linger && linger <= TimeSpan.Zero)
        {
            failures.Add($"ShimGroupIdleTimeout: must be positive or null, got {linger}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
