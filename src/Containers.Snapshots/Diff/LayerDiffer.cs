using System.Formats.Tar;
using System.Text;
using Containers.Diff;
using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots.Diff;

/// <summary>
/// Writes the OCI layer (uncompressed PAX tar) of a change, deterministically: entries sorted by name,
/// each directory before its contents, times and owners as on disk.
/// </summary>
/// <remarks>
/// <para>Without a lower tree, <c>upper</c> is read as an overlay upper directory (containerd's overlay fast
/// path): a 0/0 character device, or an empty regular file marked <c>overlay.whiteout</c> in a directory marked
/// <c>overlay.opaque=x</c> (overlayfs 6.7+), becomes the whiteout <c>.wh.&lt;name&gt;</c>, a directory with
/// <c>overlay.opaque=y</c> is followed by <c>.wh..wh..opq</c>, and overlay's own attributes are dropped — each in
/// both namespaces, <c>trusted.overlay.*</c> and <c>user.overlay.*</c> (what a <c>userxattr</c> mount writes). A plain
/// directory read this way is a base layer.</para>
/// <para>With <see cref="RootlessOwners"/>, an owner recorded in <c>user.rootlesscontainers</c> (umoci --rootless, or
/// the applier's <see cref="LayerApplyOptions.RecordUnmappedOwners"/>) replaces the owner on disk and the xattr
/// itself is left out, as <c>umoci repack --rootless</c> does.</para>
/// <para>With a lower tree (the native snapshotter), both trees are walked together as containerd's
/// double-walk differ does: an entry is written when it is new or its type, mode, owner, size, mtime, link
/// target, device or xattrs differ; an entry only in lower becomes a whiteout; the parents of a written
/// entry are written too.</para>
/// <para>Xattr values go into PAX <c>SCHILY.xattr.*</c> records. System.Formats.Tar writes record values as
/// UTF-8, so an entry with a value that is not UTF-8 (for example <c>security.capability</c>) is written by
/// <see cref="RawPaxEntryWriter"/> instead, with the value's raw bytes, as GNU tar writes it.</para>
/// </remarks>
public sealed class LayerDiffer : IDiffer
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Whether owners recorded in <c>user.rootlesscontainers</c> are reported instead of the owners on disk (a field
    /// of 2^32−1 keeps the one on disk). Default false: the xattr is then an ordinary one, as umoci treats it outside
    /// rootless mode.
    /// </summary>
    public bool RootlessOwners { get; init; }

    /// <inheritdoc/>
    public Task<LayerApplyResult> DiffAsync(string? lowerDirectory, string upperDirectory, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(upperDirectory);
        ArgumentNullException.ThrowIfNull(destination);
        // Many small blocking system calls: one dedicated thread, as the applier does.
        return Task.Factory.StartNew(() => Diff(lowerDirectory, upperDirectory, destination, RootlessOwners, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Writes the layer compressed with gzip (the OCI <c>tar+gzip</c> media type) and returns both digests:
    /// <see cref="LayerApplyResult.DiffId"/> of the tar, <see cref="LayerApplyResult.CompressedDigest"/> and
    /// <see cref="LayerApplyResult.Size"/> of the bytes written to <paramref name="destination"/>.
    /// </summary>
    /// <param name="lowerDirectory">The tree before the change, or null (see <see cref="DiffAsync(string?, string, Stream, CancellationToken)"/>).</param>
    /// <param name="upperDirectory">The tree after the change, or an overlay upper directory.</param>
    /// <param name="destination">Receives the gzip stream; not closed.</param>
    /// <param name="compressionLevel">The gzip level.</param>
    /// <param name="cancellationToken">Stops the walk; the destination then holds a partial stream.</param>
    public Task<LayerApplyResult> DiffGzipAsync(string? lowerDirectory, string upperDirectory, Stream destination, System.IO.Compression.CompressionLevel compressionLevel = System.IO.Compression.CompressionLevel.Optimal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(upperDirectory);
        ArgumentNullException.ThrowIfNull(destination);
        return Task.Factory.StartNew(() =>
        {
            using var compressed = new HashingWriteStream(destination);
            LayerApplyResult tar;
            using (var gzip = new System.IO.Compression.GZipStream(compressed, compressionLevel, leaveOpen: true))
            {
                tar = Diff(lowerDirectory, upperDirectory, gzip, RootlessOwners, cancellationToken);
            }

            compressed.Flush();
            return new LayerApplyResult(tar.DiffId, Digest.FromHash(DigestAlgorithm.Sha256, compressed.GetHash()), compressed.Written, tar.Entries, LayerCompression.Gzip);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private static LayerApplyResult Diff(string? lower, string upper, Stream destination, bool rootlessOwners, CancellationToken cancellationToken)
    {
        using var hashing = new HashingWriteStream(destination);
        long entries = 0;
        using (var writer = new TarWriter(hashing, TarEntryFormat.Pax, leaveOpen: true))
        {
            var session = new Session(writer, hashing, rootlessOwners, cancellationToken);
            if (lower is null)
            {
                session.ScanUpper(upper, string.Empty);
            }
            else
            {
                session.DoubleWalk(lower, upper, string.Empty);
            }

            entries = session.Entries;
        }

        hashing.Flush();
        return new LayerApplyResult(Digest.FromHash(DigestAlgorithm.Sha256, hashing.GetHash()), null, hashing.Written, entries, LayerCompression.None);
    }

    private sealed class Session(TarWriter writer, Stream raw, bool rootlessOwners, CancellationToken cancellationToken)
    {
        private readonly Dictionary<(uint, uint, ulong), string> _links = [];
        private readonly HashSet<string> _writtenDirectories = new(StringComparer.Ordinal);

        public long Entries { get; private set; }

        public void ScanUpper(string directory, string relative)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool xwhiteouts = OverlayXattrIs(directory, "opaque", 'x');
            foreach (string name in Names(directory))
            {
                string full = Path.Combine(directory, name);
                string rel = relative + name;
                Interop.Statx st = TreeCopier.LStat(full);
                if ((st.FileType == Interop.S_IFCHR && st.RdevMajor == 0 && st.RdevMinor == 0) || (xwhiteouts && IsXattrWhiteout(full, st)))
                {
                    WriteWhiteout(relative + WhiteoutPrefix + name, st);
                    continue;
                }

                WriteEntry(full, rel, st, skipOverlayXattrs: true);
                if (st.FileType == Interop.S_IFDIR)
                {
                    if (IsOpaque(full))
                    {
                        WriteWhiteout(rel + "/" + OpaqueMarker, st);
                    }

                    ScanUpper(full, rel + "/");
                }
            }
        }

        public void DoubleWalk(string? lower, string upper, string relative)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lowerNames = new HashSet<string>(lower is null ? [] : Names(lower), StringComparer.Ordinal);
            foreach (string name in Names(upper).Concat(lowerNames).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                string up = Path.Combine(upper, name);
                string low = lower is null ? string.Empty : Path.Combine(lower, name);
                string rel = relative + name;
                bool inUpper = Exists(up);
                if (!inUpper)
                {
                    WriteParents(upper, relative);
                    WriteWhiteout(relative + WhiteoutPrefix + name, TreeCopier.LStat(upper));
                    continue;
                }

                Interop.Statx st = TreeCopier.LStat(up);
                bool inLower = lowerNames.Contains(name);
                Interop.Statx? old = inLower ? TreeCopier.LStat(low) : null;
                bool changed = old is null || Differs(low, up, old.Value, st);
                if (st.FileType == Interop.S_IFDIR)
                {
                    if (changed)
                    {
                        WriteParents(upper, relative);
                        WriteEntry(up, rel, st, skipOverlayXattrs: false);
                    }

                    // A non-directory replaced by a directory: nothing below it comes from lower.
                    DoubleWalk(old is { } l && l.FileType == Interop.S_IFDIR ? low : null, up, rel + "/");
                }
                else if (changed)
                {
                    WriteParents(upper, relative);
                    WriteEntry(up, rel, st, skipOverlayXattrs: false);
                }
            }
        }

        private void WriteParents(string upperDirectory, string relative)
        {
            if (relative.Length == 0)
            {
                return;
            }

            string trimmed = relative.TrimEnd('/');
            if (_writtenDirectories.Contains(trimmed))
            {
                return;
            }

            int slash = trimmed.LastIndexOf('/');
            string parentRel = slash < 0 ? string.Empty : trimmed[..(slash + 1)];
            string parentDir = upperDirectory[..^(trimmed.Length - slash - 1)].TrimEnd('/');
            WriteParents(parentDir, parentRel);
            WriteEntry(upperDirectory.TrimEnd('/'), trimmed, TreeCopier.LStat(upperDirectory), skipOverlayXattrs: false);
        }

        private void WriteEntry(string full, string rel, Interop.Statx st, bool skipOverlayXattrs)
        {
            var xattrs = new Dictionary<string, string>(StringComparer.Ordinal);
            List<(string Key, byte[] Value)> rawXattrs = [];
            bool binary = false;
            foreach (string key in Interop.LListXattr(full).Order(StringComparer.Ordinal))
            {
                if (skipOverlayXattrs && (key.StartsWith("trusted.overlay.", StringComparison.Ordinal) || key.StartsWith("user.overlay.", StringComparison.Ordinal)))
                {
                    continue;
                }

                byte[] value = Interop.LGetXattr(full, key) ?? [];
                if (rootlessOwners && key == Rootless.RootlessOwner.XattrName)
                {
                    st = WithRecordedOwner(st, value, rel);
                    continue;
                }

                rawXattrs.Add((key, value));
                try
                {
                    xattrs["SCHILY.xattr." + key] = StrictUtf8.GetString(value);
                }
                catch (DecoderFallbackException)
                {
                    binary = true;
                }
            }

            string name = st.FileType == Interop.S_IFDIR ? rel + "/" : rel;
            TarEntryType type = st.FileType switch
            {
                Interop.S_IFDIR => TarEntryType.Directory,
                Interop.S_IFREG => TarEntryType.RegularFile,
                Interop.S_IFLNK => TarEntryType.SymbolicLink,
                Interop.S_IFCHR => TarEntryType.CharacterDevice,
                Interop.S_IFBLK => TarEntryType.BlockDevice,
                Interop.S_IFIFO => TarEntryType.Fifo,
                _ => throw new UnsupportedException($"\"{rel}\" is a socket, which a layer cannot hold"),
            };
            if (type == TarEntryType.RegularFile && st.Nlink > 1)
            {
                var identity = (st.DevMajor, st.DevMinor, st.Ino);
                if (_links.TryGetValue(identity, out string? first))
                {
                    type = TarEntryType.HardLink;
                    if (binary)
                    {
                        WriteRaw(full, name, TarEntryType.HardLink, st, first, rawXattrs);
                        return;
                    }

                    var link = new PaxTarEntry(type, name, xattrs) { LinkName = first };
                    Fill(link, st);
                    Write(link);
                    return;
                }

                _links[identity] = rel;
            }

            if (binary)
            {
                if (type == TarEntryType.Directory)
                {
                    _writtenDirectories.Add(rel);
                }

                string? target = null;
                if (type == TarEntryType.SymbolicLink)
                {
                    using var here = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
                    target = Interop.ReadLinkAt(here, full);
                }

                WriteRaw(full, name, type, st, target, rawXattrs);
                return;
            }

            var entry = new PaxTarEntry(type, name, xattrs);
            Fill(entry, st);
            if (type == TarEntryType.SymbolicLink)
            {
                using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
                entry.LinkName = Interop.ReadLinkAt(cwd, full);
            }
            else if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
            {
                entry.DeviceMajor = (int)st.RdevMajor;
                entry.DeviceMinor = (int)st.RdevMinor;
            }

            if (type == TarEntryType.RegularFile)
            {
                using var data = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
                entry.DataStream = data;
                Write(entry);
                return;
            }

            if (type == TarEntryType.Directory)
            {
                _writtenDirectories.Add(rel);
            }

            Write(entry);
        }

        private void WriteRaw(string full, string name, TarEntryType type, Interop.Statx st, string? linkName, List<(string Key, byte[] Value)> xattrs)
        {
            char flag = type switch
            {
                TarEntryType.RegularFile => '0',
                TarEntryType.HardLink => '1',
                TarEntryType.SymbolicLink => '2',
                TarEntryType.CharacterDevice => '3',
                TarEntryType.BlockDevice => '4',
                TarEntryType.Directory => '5',
                _ => '6',
            };
            var entry = new RawPaxEntryWriter.Entry(name, flag, st.Mode & 0xFFFu, st.Uid, st.Gid, st.Mtime.Seconds, st.Mtime.Nanoseconds, linkName, st.RdevMajor, st.RdevMinor, (long)st.Size);
            if (flag == '0')
            {
                using var data = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
                RawPaxEntryWriter.Write(raw, entry, xattrs, data);
            }
            else
            {
                RawPaxEntryWriter.Write(raw, entry, xattrs, null);
            }

            Entries++;
        }

        private void WriteWhiteout(string name, Interop.Statx parent)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = 0, Uid = 0, Gid = 0, ModificationTime = DateTimeOffset.FromUnixTimeSeconds(parent.Mtime.Seconds) };
            Write(entry);
        }

        private void Write(TarEntry entry)
        {
            writer.WriteEntry(entry);
            Entries++;
        }

        private static void Fill(TarEntry entry, Interop.Statx st)
        {
            entry.Mode = (UnixFileMode)(st.Mode & 0xFFF);
            entry.Uid = (int)st.Uid;
            entry.Gid = (int)st.Gid;
            entry.ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.Mtime.Seconds).AddTicks(st.Mtime.Nanoseconds / 100);
        }

        private static bool Differs(string low, string up, Interop.Statx a, Interop.Statx b)
        {
            if (a.FileType != b.FileType || a.Mode != b.Mode || a.Uid != b.Uid || a.Gid != b.Gid || a.RdevMajor != b.RdevMajor || a.RdevMinor != b.RdevMinor)
            {
                return true;
            }

            if (a.FileType == Interop.S_IFDIR)
            {
                return !SameXattrs(low, up);
            }

            if (a.Size != b.Size || a.Mtime.Seconds != b.Mtime.Seconds || a.Mtime.Nanoseconds != b.Mtime.Nanoseconds || !SameXattrs(low, up))
            {
                return true;
            }

            if (a.FileType == Interop.S_IFLNK)
            {
                using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
                return Interop.ReadLinkAt(cwd, low) != Interop.ReadLinkAt(cwd, up);
            }

            // As containerd: a whole-second mtime may hide a change (filesystems or tools that truncate), so look at the bytes.
            return a.FileType == Interop.S_IFREG && a.Mtime.Nanoseconds == 0 && !File.ReadAllBytes(low).AsSpan().SequenceEqual(File.ReadAllBytes(up));
        }

        private static bool SameXattrs(string a, string b)
        {
            List<string> ka = [.. Interop.LListXattr(a).Order(StringComparer.Ordinal)];
            List<string> kb = [.. Interop.LListXattr(b).Order(StringComparer.Ordinal)];
            return ka.SequenceEqual(kb) && ka.All(k => (Interop.LGetXattr(a, k) ?? []).AsSpan().SequenceEqual(Interop.LGetXattr(b, k) ?? []));
        }

        private static bool IsOpaque(string directory) => OverlayXattrIs(directory, "opaque", 'y');

        // overlayfs reads trusted.overlay.* or, mounted with userxattr, user.overlay.*; an upper directory written by
        // either is read here, as the applier's two overlay modes write them.
        private static bool OverlayXattrIs(string path, string name, char value) =>
            Interop.LGetXattr(path, "trusted.overlay." + name) is [var t] && t == value ||
            Interop.LGetXattr(path, "user.overlay." + name) is [var u] && u == value;

        private static bool IsXattrWhiteout(string path, Interop.Statx st) =>
            st.FileType == Interop.S_IFREG && st.Size == 0 &&
            (Interop.LGetXattr(path, "trusted.overlay.whiteout") is not null || Interop.LGetXattr(path, "user.overlay.whiteout") is not null);

        private static Interop.Statx WithRecordedOwner(Interop.Statx st, byte[] value, string rel)
        {
            if (!Rootless.RootlessOwner.TryDecode(value, out uint uid, out uint gid))
            {
                throw new FailedPreconditionException($"\"{rel}\": {Rootless.RootlessOwner.XattrName} is not a rootlesscontainers Resource ({Convert.ToHexString(value)})");
            }

            if (uid != Rootless.RootlessOwner.NoopId)
            {
                st.Uid = uid;
            }

            if (gid != Rootless.RootlessOwner.NoopId)
            {
                st.Gid = gid;
            }

            return st;
        }

        private static bool Exists(string path)
        {
            using var cwd = new SafeFileHandle(Interop.AT_FDCWD, ownsHandle: false);
            return Interop.LStatAt(cwd, path, out _) == 0;
        }

        private static List<string> Names(string directory)
        {
            using SafeFileHandle dir = Interop.OpenAt(Interop.AT_FDCWD, directory, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
            if (dir.IsInvalid)
            {
                Interop.ThrowLastError("open", directory);
            }

            List<string> names = Interop.ReadDirectoryNames(dir);
            names.Sort(StringComparer.Ordinal);
            return names;
        }
    }
}
