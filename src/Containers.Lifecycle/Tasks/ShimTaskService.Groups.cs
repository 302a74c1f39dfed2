using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Containers.Linux.Supervision;
using Containers.Metadata;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// Shared shims: a task created with <c>{"shimGroup": "name"}</c> in <see cref="TaskCreateRequest.Options"/>
/// goes to the one shim of that group (namespace-scoped), started on first use; the shim exits when its
/// last task is deleted, or, with <see cref="ShimTaskServiceOptions.ShimGroupIdleTimeout"/>, once it has been
/// without a task and a call that long (every call, the create's own liveness check included, restarts the time). A grouped task's usual shim path, <c>&lt;state&gt;/shims/&lt;hash of namespace/id&gt;</c>,
/// is a symbolic link to the group's directory <c>&lt;state&gt;/shims/g&lt;hash of namespace/group&gt;</c>, so every
/// per-task path (socket, task record, exit file) resolves the same way after a host restart without
/// any registry.
/// </summary>
public sealed partial class ShimTaskService
{
    /// <summary>The key of <see cref="TaskCreateRequest.Options"/> naming the task's shim group.</summary>
    public const string ShimGroupOption = "shimGroup";

    /// <summary>The key of <see cref="TaskCreateRequest.Options"/> naming a runc-compatible binary.</summary>
    public const string BinaryNameOption = "binaryName";

    // One host process serialises starting, joining and leaving one group's shim (a create must not
    // join a shim that is exiting after the delete of its last task).
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _groupGates = new(StringComparer.Ordinal);

    /// <summary>The options a shim task understands: the runtime binary and the shim group.</summary>
    private static (string? Runtime, string? Group) ParseOptions(ReadOnlyMemory<byte> options)
    {
        if (options.IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidSpecException("options", "expected an object");
            }

            string? runtime = null;
            if (document.RootElement.TryGetProperty(BinaryNameOption, out JsonElement binary))
            {
                runtime = binary.ValueKind == JsonValueKind.String ? binary.GetString() : null;
                if (string.IsNullOrEmpty(runtime) || !Path.IsPathFullyQualified(runtime))
                {
                    throw new InvalidSpecException("options." + BinaryNameOption, "expected an absolute path to a runc-compatible binary");
                }
            }

            string? group = null;
            if (document.RootElement.TryGetProperty(ShimGroupOption, out JsonElement name))
            {
                group = name.ValueKind == JsonValueKind.String ? name.GetString() : null;
                if (group is null)
                {
                    throw new InvalidSpecException("options." + ShimGroupOption, "expected a string");
                }

                Identifiers.Validate(group, "options." + ShimGroupOption);
            }

            return (runtime, group);
        }
        catch (JsonException ex)
        {
            throw new InvalidSpecException("options", $"not JSON ({ex.Message})", ex);
        }
    }

    /// <summary>The directory of a group's shared shim (ids never hold ':', so no task's directory collides).</summary>
    private string GroupDirectory(string group)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(_options.Namespace + "/group:" + group));
        return Path.Combine(_options.StateDirectory, "shims", "g" + Convert.ToHexStringLower(hash, 0, 12));
    }

    /// <summary>The group directory a task's shim path links to, or <see langword="null"/> for a shim of its own.</summary>
    private static string? LinkedGroupDirectory(string shimDirectory)
    {
        string? target = new DirectoryInfo(shimDirectory).LinkTarget;
        return target is null ? null : Path.GetFullPath(target, Path.GetDirectoryName(shimDirectory)!);
    }

    /// <summary>The real directory of the shim serving a task (its group's when it has one).</summary>
    private string ResolvedShimDirectory(string containerId)
    {
        string directory = ShimDirectory(containerId);
        return LinkedGroupDirectory(directory) ?? directory;
    }

    private SemaphoreSlim GroupGate(string groupDirectory) => _groupGates.GetOrAdd(groupDirectory, _ => new SemaphoreSlim(1, 1));

    /// <summary>Creates the task in its group's shim, starting the shim when the group has none.</summary>
    private async ValueTask<ShimResponse> CreateInGroupAsync(string group, string link, ShimRequest create, CancellationToken cancellationToken)
    {
        string groupDirectory = GroupDirectory(group);
        SemaphoreSlim gate = GroupGate(groupDirectory);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await EnsureGroupShimAsync(group, groupDirectory, cancellationToken).ConfigureAwait(false);
            // The link first: a host that dies right after the create still finds the task.
            _ = File.CreateSymbolicLink(link, Path.GetFileName(groupDirectory));
            ShimClient client = new(groupDirectory);
            try
            {
                return await client.CallAsync(create, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                File.Delete(link);
                // Only a shim left without tasks agrees to shut down; one serving others refuses.
                try
                {
                    _ = await client.CallAsync(new ShimRequest { Op = ShimOps.Shutdown }, CancellationToken.None).ConfigureAwait(false);
                }
                catch (ContainersException)
                {
                    // Other tasks (FailedPrecondition), or gone.
                }

                throw;
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Makes sure a live shim serves <paramref name="groupDirectory"/>: the running one, or a new one.</summary>
    private async ValueTask EnsureGroupShimAsync(string group, string groupDirectory, CancellationToken cancellationToken)
    {
        if (Directory.Exists(groupDirectory))
        {
            try
            {
                _ = await new ShimClient(groupDirectory).CallAsync(new ShimRequest { Op = ShimOps.List }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
            {
                string tasks = ShimPaths.Tasks(groupDirectory);
                if (Directory.Exists(tasks) && Directory.EnumerateDirectories(tasks).Any())
                {
                    throw new FailedPreconditionException(
                        $"the shim of group \"{group}\" died with tasks {string.Join(", ", Directory.EnumerateDirectories(tasks).Select(Path.GetFileName))}; delete them first");
                }

                // A shim that is exiting after the delete of its last task: wait until it removed its directory.
                await WaitForShimExitAsync(groupDirectory, cancellationToken).ConfigureAwait(false);
            }
        }

        int idleExitMs = _options.ShimGroupIdleTimeout is { } linger ? (int)Math.Clamp(linger.TotalMilliseconds, 1, int.MaxValue) : -1;
        await ShimLauncher.StartAsync(_options.ShimPath, groupDirectory, idleExitMs, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask WaitForShimExitAsync(string directory, CancellationToken cancellationToken)
    {
        string pidFile = ShimPaths.PidFile(directory);
        int pid = File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : 0;
        // An exiting shim only closes its descriptors and removes its directory: bounded, and short.
        for (int i = 0; i < 2000 && pid > 0 && Directory.Exists($"/proc/{pid}") && Directory.Exists(directory); i++)
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(directory))
        {
            // The shim is gone, or never wrote its pid: what is left holds no task (checked by the caller).
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>After a grouped task's delete: its link goes (the shim removed the task's directory).</summary>
    private static void RemoveGroupLink(string shimDirectory)
    {
        if (LinkedGroupDirectory(shimDirectory) is not null)
        {
            File.Delete(shimDirectory);
        }
    }

    /// <summary>
    /// Removes what a dead shim left for one task: a shim of its own goes whole; a task of a group
    /// loses its directory and link, and the group's directory goes with its last task.
    /// </summary>
    private static void RemoveDeadShimState(string shimDirectory, string containerId)
    {
        string? group = LinkedGroupDirectory(shimDirectory);
        if (group is null)
        {
            Directory.Delete(shimDirectory, recursive: true);
            return;
        }

        string task = ShimPaths.Task(group, containerId);
        if (Directory.Exists(task))
        {
            Directory.Delete(task, recursive: true);
        }

        File.Delete(shimDirectory);
        string tasks = ShimPaths.Tasks(group);
        if (!Directory.Exists(tasks) || !Directory.EnumerateFileSystemEntries(tasks).Any())
        {
            Directory.Delete(group, recursive: true);
        }
    }
}
