using Containers.Diff;
using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Mounting;

/// <summary>
/// Gives a user namespace file descriptor with given id maps, for id-mapped mounts (mount_setattr's
/// MOUNT_ATTR_IDMAP). The host application may not clone or unshare (DESIGN §2), so an implementation gets the
/// namespace from a process it starts with posix_spawn (Containers.Lifecycle's <c>RuncsUserNamespaceProvider</c>).
/// </summary>
public interface IUserNamespaceProvider
{
    /// <summary>Opens a user namespace whose uid_map and gid_map are <paramref name="uids"/> and <paramref name="gids"/>.</summary>
    /// <returns>An open <c>/proc/&lt;pid&gt;/ns/user</c> descriptor; the namespace lives while it (or a mount using it) does.</returns>
    SafeFileHandle OpenUserNamespace(IReadOnlyList<IdMapRange> uids, IReadOnlyList<IdMapRange> gids);
}
