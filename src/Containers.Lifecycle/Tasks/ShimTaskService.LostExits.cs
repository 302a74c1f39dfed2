using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>The exit of a process whose shim died: the one it recorded, or a failure decided once for every host.</summary>
public sealed partial class ShimTaskService
{
    private ExitStatus LostStatus(string containerId, string? execId, string reason)
    {
        // The shim records every exit to disk before it answers anyone, so an exit file is the real status.
        string taskDirectory = ShimPaths.Task(ShimDirectory(containerId), containerId);
        ShimExitRecord? recorded = ShimFiles.TryRead(ShimPaths.ExitFile(taskDirectory, execId), ShimJsonContext.Default.ShimExitRecord);
        if (recorded is not null)
        {
            return ToStatus(recorded);
        }

        ShimExitRecord failed = DecideLostExit(containerId, execId, taskDirectory);
        return new ExitStatus(failed.ExitCode, failed.ExitedAt) { Failure = $"the shim of task \"{containerId}\" is gone and recorded no exit: {reason}" };
    }

    /// <summary>
    /// The failure exit (code 255, a time) of a process whose dead shim recorded none, decided by the first
    /// host that finds it and kept beside the task's event markers (<c>State/events/&lt;ns&gt;/&lt;id&gt;/lost-exit[-execId]</c>),
    /// so every later call of any host reports the same code and time: the exit's event marker is named by
    /// that time, so its <see cref="Containers.Events.TaskExit"/> is published once across hosts. The record is
    /// written to a temporary file and linked into place without replacing (<see cref="File.Move(string, string, bool)"/>
    /// links on Unix), so a reader sees all of it or nothing, and of two hosts racing the second reads the first's.
    /// A task whose directory is gone (deleted meanwhile) gets a failure of this call only, as before: nothing of a
    /// deleted task is to be left in the state directory.
    /// </summary>
    private ShimExitRecord DecideLostExit(string containerId, string? execId, string taskDirectory)
    {
        ShimExitRecord now = new() { ExitCode = ExitStatus.UnknownExitCode, ExitedAt = DateTimeOffset.UtcNow };
        if (!Directory.Exists(taskDirectory) || (execId is not null && (execId.Length == 0 || execId[0] == '.' || execId.Contains('/'))))
        {
            return now;
        }

        string directory = EventMarkerDirectory(containerId);
        string path = Path.Combine(directory, execId is null ? "lost-exit" : "lost-exit-" + execId);
        ShimExitRecord? decided = ShimFiles.TryRead(path, ShimJsonContext.Default.ShimExitRecord);
        if (decided is not null)
        {
            return decided;
        }

        string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}";
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            ShimFiles.Write(temporary, now, ShimJsonContext.Default.ShimExitRecord);
            File.Move(temporary, path, overwrite: false);
            return now;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
            return ShimFiles.TryRead(path, ShimJsonContext.Default.ShimExitRecord) ?? now;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The marker directory went with the task's delete (by another host), or cannot be written: this call's failure.
            File.Delete(temporary);
            return now;
        }
    }
}
