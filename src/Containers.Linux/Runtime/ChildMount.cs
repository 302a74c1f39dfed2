using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>One spec mount, decoded, as the child reads it from unmanaged memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildMount
{
    /// <summary>Host path (bind) or source string, or null.</summary>
    public byte* Source;

    /// <summary>Target relative to the rootfs, without a leading slash; the child edits it in place while walking.</summary>
    public byte* Target;

    /// <summary>Filesystem type, or null for a bind mount.</summary>
    public byte* FsType;

    /// <summary>Filesystem data (options mount(2) does not take as flags), or null.</summary>
    public byte* Data;

    /// <summary>mount(2) flags for the first mount call.</summary>
    public ulong Flags;

    /// <summary>mount_setattr(2) attributes to set after a bind mount (0: none).</summary>
    public ulong AttrSet;

    /// <summary>mount_setattr(2) attributes to clear after a bind mount.</summary>
    public ulong AttrClr;

    /// <summary>mount_setattr(2) attributes set with AT_RECURSIVE once the mount is in place (rro, rnosuid…; 0: none).</summary>
    public ulong RecAttrSet;

    /// <summary>mount_setattr(2) attributes cleared with AT_RECURSIVE (rrw, MOUNT_ATTR__ATIME for an atime value…).</summary>
    public ulong RecAttrClr;

    /// <summary>Propagation flags (MS_PRIVATE, MS_SHARED… with MS_REC) to apply after mounting, or 0.</summary>
    public ulong Propagation;

    /// <summary>Extra RESOLVE_* flags for the target (RESOLVE_NO_SYMLINKS for proc, sysfs and /dev).</summary>
    public ulong Resolve;

    /// <summary>1 for a bind mount.</summary>
    public int IsBind;

    /// <summary>1 for a recursive bind mount.</summary>
    public int IsRecursive;

    /// <summary>1 when the target is created as a file (bind of a non-directory).</summary>
    public int TargetIsFile;

    /// <summary>
    /// 0 mount; 1 only apply <see cref="AttrSet"/>/<see cref="AttrClr"/> to the mount already at the
    /// target; 2 create a symlink named <see cref="Data"/> in the directory <see cref="Target"/>
    /// pointing at <see cref="Source"/>; 3 move the detached mount <see cref="MountFd"/> (a tmpcopyup tmpfs the
    /// spawner filled) onto the target, then apply the attributes as for a bind mount.
    /// </summary>
    public int Kind;

    /// <summary>For <see cref="Kind"/> 3: the fsmount(2) fd, inherited through the clone.</summary>
    public int MountFd;
}
