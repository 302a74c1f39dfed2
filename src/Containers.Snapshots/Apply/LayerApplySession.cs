using System.Formats.Tar;
using System.Text;
using Containers.Diff;
using Containers.Snapshots.Rootless;
using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Apply;

/// <summary>
/// The state of one apply: the rooted tree, the entries this layer created (so whiteouts only hide
/// lower layers), and directory times to restore once all children exist.
/// </summary>
internal sealed class LayerApplySession : IDisposable
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private const string XattrPrefix = "SCHILY.xattr.";
    private const string LibarchiveXattrPrefix = "LIBARCHIVE.xattr.";
    private const int EOPNOTSUPP = 95;
    private const int CopyBufferSize = 1 << 20;
    private const int MaxNotes = 100;

    private static readonly bool s_isRoot = Environment.IsPrivilegedProcess;

    private readonly RootedTree _tree;
    private readonly LayerApplyOptions _options;
    private readonly PaxXattrCapture _capture;
    private readonly bool _recordOwners;
    private readonly HashSet<(ulong Dev, ulong Ino, string Name)>? _unpacked;
    private readonly List<(string Path, Interop.Timespec Mtime)> _directoryTimes = [];
    private readonly byte[] _buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(CopyBufferSize);
    private readonly List<string> _notes = [];
    private long _unrecordedNotes;
    private (SafeFileHandle Fd, ulong Dev, ulong Ino)? _parentIdentity;

    // What a create under one parent gives without fchown or fchmod, learned from a statx of files made there: the
    // owner (the creator's, or the group of a setgid parent) and the permission bits the umask or the parent's default
    // ACL is seen to keep. Tied to the parent's fd, which changes whenever the cached parent does.
    private SafeFileHandle? _learnedParent;
    private uint _createdUid;
    private uint _createdGid;
    private uint _keptBits;

    public LayerApplySession(RootedTree tree, LayerApplyOptions options, PaxXattrCapture capture)
    {
        _tree = tree;
        _options = options;
        _capture = capture;
        _recordOwners = options.RecordUnmappedOwners && s_isRoot && UserNamespace.IsNested;

        // Only native whiteouts need to know which entries came from this layer.
        _unpacked = options.WhiteoutMode == WhiteoutMode.Delete ? [] : null;
    }

    /// <summary>Entries deliberately not applied.</summary>
    public long Skipped { get; private set; }

    /// <summary>What was left out and why (device nodes and privileged xattrs in a user namespace), the first 100.</summary>
    public IReadOnlyList<string> Notes => _unrecordedNotes == 0 ? _notes : [.. _notes, $"… and {_unrecordedNotes} more"];

    /// <summary>Applies one entry; its data, if any, is read from <see cref="TarEntry.DataStream"/>.</summary>
    public void Apply(TarEntry entry, CancellationToken cancellationToken)
    {
        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }

        RestoreNewlines(entry);
        string path = LayerPath.Clean(entry.Name);
        if (path.Length == 0)
        {
            // "/", "./", "..": the root is the caller's, never something a layer replaces.
            Skipped++;
            return;
        }

        (string parentPath, string name) = LayerPath.Split(path);
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(entry, parentPath, name);
            return;
        }

        switch (entry.EntryType)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                CheckNotSparse(entry);
                WriteFile(entry, parentPath, name, cancellationToken);
                break;
            case TarEntryType.Directory:
                MakeDirectory(entry, path, parentPath, name);
                break;
            case TarEntryType.SymbolicLink:
                MakeSymlink(entry, parentPath, name);
                break;
            case TarEntryType.HardLink:
                MakeHardLink(entry, parentPath, name);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                if (entry.EntryType != TarEntryType.Fifo && !_options.AllowDeviceNodes)
                {
                    Skipped++;
                    return;
                }

                if (entry.EntryType != TarEntryType.Fifo && UserNamespace.IsNested)
                {
                    // No user namespace but the initial one may create devices (containerd skips them
                    // there too); umoci --rootless leaves an empty file instead, which a diff would then
                    // record as a regular file.
                    Skipped++;
                    Note($"{entry.Name}: {(entry.EntryType == TarEntryType.CharacterDevice ? "character" : "block")} device {DeviceNumbers(entry)} skipped: a user namespace cannot create device nodes");
                    return;
                }

                MakeNode(entry, parentPath, name);
                break;
            case TarEntryType.SparseFile:
                throw new UnsupportedException($"layer entry \"{entry.Name}\" is a GNU sparse file, which System.Formats.Tar does not expand");
            default:
                throw new InvalidLayerException(InvalidLayerReason.InvalidEntry, entry.Name, $"unsupported tar entry type '{(char)entry.EntryType}'");
        }
    }

    // A PAX path or linkpath holding a newline reached TarReader with its newlines masked (PaxXattrCapture); the
    // raw name is the entry's, as GNU tar extracts it. Only taken when TarReader's name is exactly its masked form,
    // so a name from another header (a GNU long name, the ustar fields) is never replaced.
    private void RestoreNewlines(TarEntry entry)
    {
        if (_capture.CurrentPath is { } path && PaxXattrCapture.Masked(path) == entry.Name)
        {
            entry.Name = path;
        }

        if (_capture.CurrentLinkPath is { } link && entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink && PaxXattrCapture.Masked(link) == entry.LinkName)
        {
            entry.LinkName = link;
        }
    }

    /// <summary>Restores directory mtimes, which every entry created inside them has changed.</summary>
    public void RestoreDirectoryTimes()
    {
        foreach ((string path, Interop.Timespec mtime) in _directoryTimes)
        {
            (string parentPath, string name) = LayerPath.Split(path);
            SafeFileHandle? parent = _tree.GetParent(parentPath, create: false);

            // Only while it is still a directory: a later entry of the layer may have replaced it, by a hard
            // link too, whose inode (perhaps shared with a lower snapshot) keeps its own times.
            if (parent is not null && Interop.LStatAt(parent, name, out Interop.Statx st) == 0 && st.FileType == Interop.S_IFDIR
                && Interop.UtimensAt(parent, name, mtime, mtime, Interop.AT_SYMLINK_NOFOLLOW) != 0 && Marshal.GetLastPInvokeError() != Interop.ENOENT)
            {
                Interop.ThrowLastError("utimensat", path);
            }
        }
    }

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);

    private void WriteFile(TarEntry entry, string parentPath, string name, CancellationToken cancellationToken)
    {
        SafeFileHandle parent = Parent(parentPath);
        const int flags = Interop.O_WRONLY | Interop.O_CREAT | Interop.O_EXCL | Interop.O_NOFOLLOW | Interop.O_CLOEXEC;

        // Created with its final permission bits, so that the fchmod can be left out when the umask (or a default
        // ACL) keeps them all. setuid, setgid and sticky bits are set by fchmod, after the chown that would clear them.
        uint mode = (uint)entry.Mode & 0xFFF;
        uint createMode = (mode & ~0x1FFu) == 0 ? mode : 0x180;
        SafeFileHandle fd = Interop.OpenAt(parent, name, flags, createMode);
        if (fd.IsInvalid && Marshal.GetLastPInvokeError() == Interop.EEXIST)
        {
            // Replace, never write through: the existing name may be a hard link into a lower
            // layer's file or a symlink to anywhere.
            fd.Dispose();
            _tree.RemoveAll(parent, name);
            fd = Interop.OpenAt(parent, name, flags, createMode);
        }

        using (fd)
        {
            if (fd.IsInvalid)
            {
                Interop.ThrowLastError("openat", entry.Name);
            }

            MarkUnpacked(parent, name);
            if (entry.DataStream is { } data)
            {
                int n;
                while ((n = data.Read(_buffer)) > 0)
                {
                    Interop.WriteAll(fd, _buffer.AsSpan(0, n), entry.Name);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            if (!ReferenceEquals(_learnedParent, parent) || parent.IsClosed || (createMode & ~_keptBits) != 0)
            {
                Learn(parent, fd, createMode);
            }

            // chown clears setuid/setgid and security.capability, so it goes first. Either is left out only when the
            // create already gave exactly that result (as tar's would, which does both always).
            (uint uid, uint gid, byte[]? record) = Owner(entry);
            if (uid != _createdUid || gid != _createdGid)
            {
                CheckChown(Interop.FChown(fd, uid, gid), "fchown", entry, uid, gid);
            }

            if (createMode != mode || (mode & ~_keptBits) != 0)
            {
                Check(Interop.FChmod(fd, (uint)entry.Mode), "fchmod", entry.Name);
            }

            foreach ((string key, byte[] value) in WithRecord(Xattrs(entry), record))
            {
                CheckXattr(Interop.FSetXattr(fd, key, value), "fsetxattr", entry.Name, key);
            }

            Interop.Timespec mtime = ModificationTime(entry);
            Check(Interop.Futimens(fd, mtime, mtime), "futimens", entry.Name);
        }
    }

    /// <summary>
    /// Learns from the file just created under <paramref name="parent"/> (not yet chowned or chmodded) the owner a
    /// create there gives and which of <paramref name="createMode"/>'s bits it kept: a umask or default ACL is the
    /// parent's (and the process's) and does not change between two creates in it.
    /// </summary>
    private void Learn(SafeFileHandle parent, SafeFileHandle created, uint createMode)
    {
        Interop.Statx st = Interop.FStat(created);
        if (!ReferenceEquals(_learnedParent, parent) || parent.IsClosed)
        {
            _learnedParent = parent;
            _keptBits = 0;
        }

        _createdUid = st.Uid;
        _createdGid = st.Gid;
        _keptBits |= createMode & st.Mode;
    }

    // A directory entry may change the owner, setgid bit or default ACL of a directory already used as a parent.
    private void ForgetLearned() => _learnedParent = null;

    private void MakeDirectory(TarEntry entry, string path, string parentPath, string name)
    {
        ForgetLearned();
        SafeFileHandle parent = Parent(parentPath);
        bool kept = false;
        if (Interop.MkdirAt(parent, name, 0x1c0) != 0)
        {
            if (Marshal.GetLastPInvokeError() != Interop.EEXIST)
            {
                Interop.ThrowLastError("mkdirat", entry.Name);
            }

            // An existing directory is kept and its metadata updated; anything else is replaced.
            if (Interop.LStatAt(parent, name, out Interop.Statx st) != 0 || st.FileType != Interop.S_IFDIR)
            {
                _tree.RemoveAll(parent, name);
                if (Interop.MkdirAt(parent, name, 0x1c0) != 0)
                {
                    Interop.ThrowLastError("mkdirat", entry.Name);
                }
            }
            else
            {
                kept = true;
            }
        }

        MarkUnpacked(parent, name);
        using (SafeFileHandle dir = RootedTree.OpenDirectoryForReading(parent, name))
        {
            (uint uid, uint gid, byte[]? record) = Owner(entry);
            CheckChown(Interop.FChown(dir, uid, gid), "fchown", entry, uid, gid);
            Check(Interop.FChmod(dir, (uint)entry.Mode), "fchmod", entry.Name);
            List<(string Key, byte[] Value)> xattrs = WithRecord(Xattrs(entry), record);
            if (kept)
            {
                RemoveStaleXattrs(dir, xattrs, entry.Name);
            }

            foreach ((string key, byte[] value) in xattrs)
            {
                CheckXattr(Interop.FSetXattr(dir, key, value), "fsetxattr", entry.Name, key);
            }
        }

        _directoryTimes.Add((path, ModificationTime(entry)));
    }

    /// <summary>
    /// A directory entry describes the directory's whole metadata, so xattrs a lower layer gave a kept directory
    /// and the entry does not list are removed (umoci does the same; an overlay upper directory never had them).
    /// The overlay markers this applier writes itself (opaque, whiteouts) stay, in either namespace.
    /// </summary>
    private void RemoveStaleXattrs(SafeFileHandle dir, List<(string Key, byte[] Value)> wanted, string entryName)
    {
        foreach (string existing in Interop.FListXattr(dir))
        {
            if (!IsOverlayControl(existing) && !wanted.Exists(x => x.Key == existing))
            {
                Check(Interop.FRemoveXattr(dir, existing), "fremovexattr", entryName, tolerateNonRootPermission: true, tolerateUnsupported: true);
            }
        }
    }

    private void MakeSymlink(TarEntry entry, string parentPath, string name)
    {
        SafeFileHandle parent = Parent(parentPath);

        // The target is stored as written: it is only ever resolved later, by openat2 in the root.
        if (Interop.SymlinkAt(entry.LinkName, parent, name) != 0)
        {
            if (Marshal.GetLastPInvokeError() != Interop.EEXIST)
            {
                Interop.ThrowLastError("symlinkat", entry.Name);
            }

            _tree.RemoveAll(parent, name);
            if (Interop.SymlinkAt(entry.LinkName, parent, name) != 0)
            {
                Interop.ThrowLastError("symlinkat", entry.Name);
            }
        }

        MarkUnpacked(parent, name);
        ApplyMetadataByName(entry, parent, name, chmod: false);
    }

    private void MakeHardLink(TarEntry entry, string parentPath, string name)
    {
        string target = LayerPath.Clean(entry.LinkName);
        if (target.Length == 0)
        {
            throw new InvalidLayerException(InvalidLayerReason.UnsafePath, entry.Name, "hard link to the root");
        }

        (string targetParentPath, string targetName) = LayerPath.Split(target);
        using SafeFileHandle? ownedTargetParent = targetParentPath.Length == 0 ? null : _tree.OpenParentUncached(targetParentPath)
            ?? throw new InvalidLayerException(InvalidLayerReason.InvalidEntry, entry.Name, $"hard link target \"{entry.LinkName}\" does not exist");
        SafeFileHandle targetParent = ownedTargetParent ?? _tree.Root;
        SafeFileHandle parent = Parent(parentPath);

        // flags 0: a link to a symlink links the symlink itself, never what it points to.
        if (Interop.LinkAt(targetParent, targetName, parent, name, 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.ENOENT)
            {
                throw new InvalidLayerException(InvalidLayerReason.InvalidEntry, entry.Name, $"hard link target \"{entry.LinkName}\" does not exist");
            }

            if (errno != Interop.EEXIST)
            {
                throw new ErrnoException(errno, "linkat", entry.Name);
            }

            _tree.RemoveAll(parent, name);
            if (Interop.LinkAt(targetParent, targetName, parent, name, 0) != 0)
            {
                Interop.ThrowLastError("linkat", entry.Name);
            }
        }

        // The inode's metadata is the target's; a hard link entry carries none of its own to apply.
        MarkUnpacked(parent, name);
    }

    private void MakeNode(TarEntry entry, string parentPath, string name)
    {
        SafeFileHandle parent = Parent(parentPath);
        uint type = entry.EntryType switch
        {
            TarEntryType.CharacterDevice => Interop.S_IFCHR,
            TarEntryType.BlockDevice => Interop.S_IFBLK,
            _ => Interop.S_IFIFO,
        };
        ulong dev = type != Interop.S_IFIFO && entry is PosixTarEntry posix ? Interop.MakeDev((uint)posix.DeviceMajor, (uint)posix.DeviceMinor) : 0;
        if (Interop.MknodAt(parent, name, type | 0x180, dev) != 0)
        {
            if (Marshal.GetLastPInvokeError() != Interop.EEXIST)
            {
                Interop.ThrowLastError("mknodat", entry.Name);
            }

            _tree.RemoveAll(parent, name);
            if (Interop.MknodAt(parent, name, type | 0x180, dev) != 0)
            {
                Interop.ThrowLastError("mknodat", entry.Name);
            }
        }

        MarkUnpacked(parent, name);
        ApplyMetadataByName(entry, parent, name, chmod: true);
    }

    // For entries that cannot be opened for writing (symlinks, devices, fifos).
    private void ApplyMetadataByName(TarEntry entry, SafeFileHandle parent, string name, bool chmod)
    {
        (uint uid, uint gid, byte[]? record) = Owner(entry);

        // A node gets the owner a file created in the same parent got (learned there); then the chown is left out.
        if (!ReferenceEquals(_learnedParent, parent) || parent.IsClosed || uid != _createdUid || gid != _createdGid)
        {
            CheckChown(Interop.FChownAt(parent, name, uid, gid, Interop.AT_SYMLINK_NOFOLLOW), "fchownat", entry, uid, gid);
        }

        if (record is not null)
        {
            // user.* xattrs exist only on regular files and directories (EPERM elsewhere); umoci loses these too.
            Note($"{entry.Name}: owner {entry.Uid}:{entry.Gid} not recorded: a {(entry.EntryType == TarEntryType.SymbolicLink ? "symlink" : "special file")} cannot hold {RootlessOwner.XattrName}");
        }

        if (chmod)
        {
            // fchmod needs a real fd and opening a device would run its driver, so: an O_PATH fd,
            // checked not to be a symlink, and chmod through its /proc magic link, which names
            // exactly that inode.
            using SafeFileHandle fd = Interop.OpenAt(parent, name, Interop.O_PATH | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
            if (fd.IsInvalid)
            {
                Interop.ThrowLastError("openat", entry.Name);
            }

            if (Interop.FStat(fd).FileType == Interop.S_IFLNK)
            {
                throw new InvalidLayerException(InvalidLayerReason.UnsafePath, entry.Name, "replaced by a symlink while being applied");
            }

            Check(Interop.FChmodAt(Interop.AT_FDCWD, ProcFdPath(fd), (uint)entry.Mode, 0), "fchmodat", entry.Name);
        }

        List<(string Key, byte[] Value)> xattrs = Xattrs(entry);
        if (xattrs.Count > 0)
        {
            // The parent is reached through its magic link; the last component is not followed.
            string path = ProcFdPath(parent) + "/" + name;
            foreach ((string key, byte[] value) in xattrs)
            {
                CheckXattr(Interop.LSetXattr(path, key, value), "lsetxattr", entry.Name, key);
            }
        }

        Interop.Timespec mtime = ModificationTime(entry);
        Check(Interop.UtimensAt(parent, name, mtime, mtime, Interop.AT_SYMLINK_NOFOLLOW), "utimensat", entry.Name);
    }

    private void ApplyWhiteout(TarEntry entry, string parentPath, string name)
    {
        if (name == OpaqueWhiteout)
        {
            ApplyOpaque(entry, parentPath);
            return;
        }

        string target = name[WhiteoutPrefix.Length..];
        if (target.Length == 0 || target == "." || target == ".." || target.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            throw new InvalidLayerException(InvalidLayerReason.UnsafePath, entry.Name, "whiteout names no sibling (it would hide its own directory or the root's parent)");
        }

        if (_options.WhiteoutMode is WhiteoutMode.Overlay or WhiteoutMode.OverlayUserXattr)
        {
            // Linux 5.8+ lets anyone create a 0/0 character device (the whiteout), so this works in a user
            // namespace too. overlayfs 6.7+ also reads an empty file marked overlay.whiteout in a directory marked
            // overlay.opaque=x, but (checked on 6.18) only in lower layers, never in the upper directory.
            SafeFileHandle parent = Parent(parentPath);
            _tree.RemoveAll(parent, target);
            if (Interop.MknodAt(parent, target, Interop.S_IFCHR, 0) != 0)
            {
                Interop.ThrowLastError("mknodat", entry.Name);
            }

            (uint uid, uint gid, _) = Owner(entry);
            CheckChown(Interop.FChownAt(parent, target, uid, gid, Interop.AT_SYMLINK_NOFOLLOW), "fchownat", entry, uid, gid);
            return;
        }

        // A whiteout under a missing or dangling parent hides nothing.
        SafeFileHandle? existing = _tree.GetParent(parentPath, create: false);
        if (existing is null || IsUnpacked(existing, target))
        {
            return;
        }

        _tree.RemoveAll(existing, target);
    }

    private void ApplyOpaque(TarEntry entry, string directoryPath)
    {
        if (_options.WhiteoutMode is WhiteoutMode.Overlay or WhiteoutMode.OverlayUserXattr)
        {
            (string parentPath, string name) = directoryPath.Length == 0 ? (string.Empty, ".") : LayerPath.Split(directoryPath);
            SafeFileHandle parent = Parent(parentPath);
            if (name != "." && Interop.MkdirAt(parent, name, 0x1ed) != 0 && Marshal.GetLastPInvokeError() != Interop.EEXIST)
            {
                Interop.ThrowLastError("mkdirat", entry.Name);
            }

            using SafeFileHandle dir = RootedTree.OpenDirectoryForReading(parent, name);
            // A userxattr mount reads user.overlay.*, the only overlay xattrs a user namespace may set.
            string opaque = _options.WhiteoutMode == WhiteoutMode.OverlayUserXattr ? "user.overlay.opaque" : "trusted.overlay.opaque";
            Check(Interop.FSetXattr(dir, opaque, "y"u8), "fsetxattr", entry.Name);
            return;
        }

        SafeFileHandle? directory = _tree.GetParent(directoryPath, create: false);
        if (directory is null)
        {
            return;
        }

        using SafeFileHandle readable = RootedTree.OpenDirectoryForReading(directory, ".");
        RemoveLowerChildren(readable);
    }

    // Removes what lower layers put under a directory, keeping (and descending into) what this
    // layer created there, so an opaque marker that comes after its siblings hides only the past.
    private void RemoveLowerChildren(SafeFileHandle directory)
    {
        Interop.Statx self = Interop.FStat(directory);
        foreach (string child in Interop.ReadDirectoryNames(directory))
        {
            if (!_unpacked!.Contains((Dev(self), self.Ino, child)))
            {
                _tree.RemoveAll(directory, child);
            }
            else if (Interop.LStatAt(directory, child, out Interop.Statx st) == 0 && st.FileType == Interop.S_IFDIR)
            {
                using SafeFileHandle sub = RootedTree.OpenDirectoryForReading(directory, child);
                RemoveLowerChildren(sub);
            }
        }
    }

    private SafeFileHandle Parent(string parentPath) =>
        _tree.GetParent(parentPath, create: true)!;

    private void MarkUnpacked(SafeFileHandle parent, string name)
    {
        if (_unpacked is not null)
        {
            (ulong dev, ulong ino) = Identity(parent);
            _unpacked.Add((dev, ino, name));
        }
    }

    private bool IsUnpacked(SafeFileHandle parent, string name)
    {
        (ulong dev, ulong ino) = Identity(parent);
        return _unpacked!.Contains((dev, ino, name));
    }

    // Keyed by the parent's inode rather than its path, so that names reached through a symlinked
    // parent are recognised as the same entries.
    private (ulong Dev, ulong Ino) Identity(SafeFileHandle parent)
    {
        if (_parentIdentity is { } known && ReferenceEquals(known.Fd, parent) && !parent.IsClosed)
        {
            return (known.Dev, known.Ino);
        }

        Interop.Statx st = Interop.FStat(parent);
        _parentIdentity = (parent, Dev(st), st.Ino);
        return (Dev(st), st.Ino);
    }

    private static ulong Dev(in Interop.Statx st) => ((ulong)st.DevMajor << 32) | st.DevMinor;

    // The ids to chown to, and with RecordUnmappedOwners the user.rootlesscontainers value for ids the namespace
    // cannot map: those are set to the namespace's root (or left as created if even 0 is unmapped) and the layer's
    // own id is recorded, as umoci records the in-container owner; ids that were set are recorded as "on disk".
    private (uint Uid, uint Gid, byte[]? Record) Owner(TarEntry entry)
    {
        if (entry.Uid < 0 || entry.Gid < 0)
        {
            throw new InvalidLayerException(InvalidLayerReason.InvalidEntry, entry.Name, "negative owner id");
        }

        uint uid = (uint)entry.Uid;
        uint gid = (uint)entry.Gid;
        if (_options.IdMap is { } map)
        {
            if (!map.TryMapUid(uid, out uid) || !map.TryMapGid(gid, out gid))
            {
                throw new InvalidLayerException(InvalidLayerReason.UnmappedOwner, entry.Name, $"owner {entry.Uid}:{entry.Gid} is outside the id mapping");
            }
        }

        if (!_recordOwners)
        {
            return (uid, gid, null);
        }

        uint recordedUid = RootlessOwner.NoopId;
        uint recordedGid = RootlessOwner.NoopId;
        if (!UserNamespace.MapsUid(uid))
        {
            recordedUid = (uint)entry.Uid;
            uid = UserNamespace.MapsUid(0) ? 0 : uint.MaxValue;
        }

        if (!UserNamespace.MapsGid(gid))
        {
            recordedGid = (uint)entry.Gid;
            gid = UserNamespace.MapsGid(0) ? 0 : uint.MaxValue;
        }

        return (uid, gid, RootlessOwner.Encode(recordedUid, recordedGid));
    }

    private static List<(string Key, byte[] Value)> WithRecord(List<(string Key, byte[] Value)> xattrs, byte[]? record)
    {
        if (record is not null)
        {
            xattrs.Add((RootlessOwner.XattrName, record));
        }

        return xattrs;
    }

    private List<(string Key, byte[] Value)> Xattrs(TarEntry entry)
    {
        var result = new List<(string, byte[])>();
        if (entry is not PaxTarEntry pax)
        {
            return result;
        }

        Dictionary<string, byte[]>? raw = _capture.Current;
        int reported = 0;
        foreach (KeyValuePair<string, string> attribute in pax.ExtendedAttributes)
        {
            if (attribute.Key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                reported++;
            }
        }

        // Raw bytes are trusted only when the observer saw exactly the header TarReader parsed.
        bool useRaw = raw is not null && raw.Count == reported;
        foreach (KeyValuePair<string, string> attribute in pax.ExtendedAttributes)
        {
            if (attribute.Key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                string key = attribute.Key[XattrPrefix.Length..];
                byte[]? value = null;
                if (useRaw && !raw!.TryGetValue(key, out value))
                {
                    useRaw = false;
                }

                if (!IsOverlayControl(key) && !IsReplacedRecord(key))
                {
                    result.Add((key, value ?? Encoding.UTF8.GetBytes(attribute.Value)));
                }
            }
            else if (attribute.Key.StartsWith(LibarchiveXattrPrefix, StringComparison.Ordinal))
            {
                string key = Uri.UnescapeDataString(attribute.Key[LibarchiveXattrPrefix.Length..]);
                try
                {
                    byte[] value = Convert.FromBase64String(attribute.Value);
                    if (!IsOverlayControl(key) && !IsReplacedRecord(key))
                    {
                        result.Add((key, value));
                    }
                }
                catch (FormatException e)
                {
                    throw new InvalidLayerException(InvalidLayerReason.MalformedArchive, entry.Name, $"xattr {key} is not base64", e);
                }
            }
        }

        return result;
    }

    // overlayfs reads trusted.overlay.* (opaque, redirect, origin, metacopy) from upper and lower
    // directories; a layer must not forge them. Opaque directories come only from .wh..wh..opq.
    private static bool IsOverlayControl(string xattrName) =>
        xattrName.StartsWith("trusted.overlay.", StringComparison.Ordinal) ||
        xattrName.StartsWith("user.overlay.", StringComparison.Ordinal);

    // With RecordUnmappedOwners the applier owns user.rootlesscontainers: a layer's own value would claim an owner
    // the layer does not state (umoci drops it with a warning).
    private bool IsReplacedRecord(string xattrName) => _recordOwners && xattrName == RootlessOwner.XattrName;

    private static void CheckNotSparse(TarEntry entry)
    {
        if (entry is PaxTarEntry pax && (pax.ExtendedAttributes.ContainsKey("GNU.sparse.major") || pax.ExtendedAttributes.ContainsKey("GNU.sparse.map") || pax.ExtendedAttributes.ContainsKey("GNU.sparse.size")))
        {
            throw new UnsupportedException($"layer entry \"{entry.Name}\" is a PAX sparse file, which System.Formats.Tar does not expand");
        }
    }

    // PAX records mtime to the nanosecond; TarEntry.ModificationTime rounds to 100 ns, so the
    // record itself is parsed when it is there.
    private static Interop.Timespec ModificationTime(TarEntry entry)
    {
        if (entry is PaxTarEntry pax && pax.ExtendedAttributes.TryGetValue("mtime", out string? text) && TryParsePaxTime(text, out Interop.Timespec exact))
        {
            return exact;
        }

        return Interop.Timespec.From(entry.ModificationTime);
    }

    private static bool TryParsePaxTime(string text, out Interop.Timespec time)
    {
        time = default;
        int dot = text.IndexOf('.', StringComparison.Ordinal);
        ReadOnlySpan<char> whole = dot < 0 ? text : text.AsSpan(0, dot);
        ReadOnlySpan<char> fraction = dot < 0 ? [] : text.AsSpan(dot + 1);
        if (!long.TryParse(whole, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long seconds) || fraction.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        long nanoseconds = 0;
        for (int i = 0; i < 9; i++)
        {
            nanoseconds = (nanoseconds * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        if (whole.StartsWith("-") && nanoseconds > 0)
        {
            // "-1.25" is 1.25 s before the epoch: -2 s + 0.75 s.
            seconds--;
            nanoseconds = 1_000_000_000 - nanoseconds;
        }

        time = new Interop.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        return true;
    }

    private static string DeviceNumbers(TarEntry entry) =>
        entry is PosixTarEntry posix ? $"{posix.DeviceMajor}:{posix.DeviceMinor}" : "?:?";

    private void Note(string note)
    {
        if (_notes.Count < MaxNotes)
        {
            _notes.Add(note);
        }
        else
        {
            _unrecordedNotes++;
        }
    }

    private static void CheckChown(int result, string operation, TarEntry entry, uint uid, uint gid)
    {
        if (result != 0 && Marshal.GetLastPInvokeError() == 22 && s_isRoot && UserNamespace.IsNested)
        {
            // EINVAL from the namespace's root: the id has no mapping in this user namespace. containerd
            // fails the same way; silently owning the file by someone else would change the image.
            throw new InvalidLayerException(
                InvalidLayerReason.UnmappedOwner,
                entry.Name,
                $"owner {entry.Uid}:{entry.Gid} (set as {uid}:{gid}) has no id in this user namespace (uid_map: {UserNamespace.DescribeUidMap()}); map more ids (/etc/subuid, /etc/subgid) or shift them with LayerApplyOptions.IdMap");
        }

        Check(result, operation, entry.Name, tolerateNonRootPermission: true);
    }

    private void CheckXattr(int result, string operation, string entryName, string key)
    {
        if (result != 0 && Marshal.GetLastPInvokeError() == Interop.EPERM && UserNamespace.IsNested)
        {
            // trusted.* (and security.* the kernel does not translate, unlike security.capability) need
            // CAP_SYS_ADMIN in the initial namespace; containerd and umoci skip them with a warning.
            Note($"{entryName}: xattr {key} not set: needs privilege outside this user namespace");
            return;
        }

        Check(result, operation, entryName, tolerateUnsupported: true);
    }

    private static string ProcFdPath(SafeFileHandle fd) => "/proc/self/fd/" + fd.DangerousGetHandle().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void Check(int result, string operation, string entryName, bool tolerateNonRootPermission = false, bool tolerateUnsupported = false)
    {
        if (result == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();

        // Without root, owners other than our own cannot be set (containerd does the same in a
        // user namespace); filesystems without xattr support or with a reserved namespace skip it.
        if ((tolerateNonRootPermission && !s_isRoot && errno is Interop.EPERM or 22) || (tolerateUnsupported && errno == EOPNOTSUPP))
        {
            return;
        }

        throw new ErrnoException(errno, operation, entryName);
    }
}
