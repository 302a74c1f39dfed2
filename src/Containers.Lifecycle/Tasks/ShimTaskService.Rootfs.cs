using Containers.Snapshots.Mounting;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// A task's root filesystem, as containerd's shims do it: the mounts of <see cref="TaskCreateRequest.Rootfs"/>
/// (a snapshotter's overlay or bind) are performed at <c>&lt;bundle&gt;/rootfs</c> before the shim is asked to
/// create the task, and undone when the task is deleted or its create fails.
/// </summary>
public sealed partial class ShimTaskService
{
    /// <summary>
    /// Mounts the request's rootfs at <c>&lt;bundle&gt;/rootfs</c>. The target is recorded in
    /// <c>&lt;state&gt;/rootfs/&lt;shim key&gt;</c> first, so a delete made by another host process (after a
    /// restart) unmounts exactly what was mounted here, and never a rootfs the caller's bundle brought.
    /// </summary>
    /// <returns>Whether something was mounted.</returns>
    private bool MountRootfs(TaskCreateRequest request)
    {
        if (request.Rootfs.Count == 0)
        {
            return false;
        }

        string target = Path.Combine(Path.GetFullPath(request.Bundle), "rootfs");
        if (!Directory.Exists(request.Bundle))
        {
            throw new InvalidSpecException("bundle", $"\"{request.Bundle}\" is not a directory");
        }

        Directory.CreateDirectory(target);
        string marker = RootfsMarker(request.ContainerId);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(marker, target);
        try
        {
            MountHelper.MountAll(request.Rootfs, target, new Mounting.RuncsUserNamespaceProvider(_options.ShimPath));
        }
        catch
        {
            File.Delete(marker);
            throw;
        }

        return true;
    }

    /// <summary>Unmounts what <see cref="MountRootfs"/> mounted for the container, if anything.</summary>
    private void UnmountRootfs(string containerId)
    {
        string marker = RootfsMarker(containerId);
        string target;
        try
        {
            target = File.ReadAllText(marker);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }

        MountHelper.Unmount(target);
        File.Delete(marker);
    }

    private string RootfsMarker(string containerId)
        => Path.Combine(_options.StateDirectory, "rootfs", Path.GetFileName(ShimDirectory(containerId)));
}
