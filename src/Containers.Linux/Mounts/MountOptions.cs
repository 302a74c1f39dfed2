namespace Containers.Linux.Mounts;

/// <summary>
/// fstab-style mount options decoded the way runc decodes them: flag words become mount(2) flags,
/// propagation words become a propagation change, anything else is filesystem data.
/// </summary>
internal sealed class MountOptions
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagWords = new(StringComparer.Ordinal)
    {
        ["defaults"] = (false, 0),
        ["ro"] = (false, Interop.MS_RDONLY),
        ["rw"] = (true, Interop.MS_RDONLY),
        ["nosuid"] = (false, Interop.MS_NOSUID),
        ["suid"] = (true, Interop.MS_NOSUID),
        ["nodev"] = (false, Interop.MS_NODEV),
        ["dev"] = (true, Interop.MS_NODEV),
        ["noexec"] = (false, Interop.MS_NOEXEC),
        ["exec"] = (true, Interop.MS_NOEXEC),
        ["sync"] = (false, Interop.MS_SYNCHRONOUS),
        ["async"] = (true, Interop.MS_SYNCHRONOUS),
        ["dirsync"] = (false, Interop.MS_DIRSYNC),
        ["mand"] = (false, Interop.MS_MANDLOCK),
        ["nomand"] = (true, Interop.MS_MANDLOCK),
        ["noatime"] = (false, Interop.MS_NOATIME),
        ["atime"] = (true, Interop.MS_NOATIME),
        ["nodiratime"] = (false, Interop.MS_NODIRATIME),
        ["diratime"] = (true, Interop.MS_NODIRATIME),
        ["relatime"] = (false, Interop.MS_RELATIME),
        ["norelatime"] = (true, Interop.MS_RELATIME),
        ["strictatime"] = (false, Interop.MS_STRICTATIME),
        ["nostrictatime"] = (true, Interop.MS_STRICTATIME),
        ["nosymfollow"] = (false, Interop.MS_NOSYMFOLLOW),
        ["symfollow"] = (true, Interop.MS_NOSYMFOLLOW),
        ["bind"] = (false, Interop.MS_BIND),
        ["rbind"] = (false, Interop.MS_BIND | Interop.MS_REC),
    };

    private static readonly Dictionary<string, ulong> PropagationWords = new(StringComparer.Ordinal)
    {
        ["private"] = Interop.MS_PRIVATE,
        ["rprivate"] = Interop.MS_PRIVATE | Interop.MS_REC,
        ["shared"] = Interop.MS_SHARED,
        ["rshared"] = Interop.MS_SHARED | Interop.MS_REC,
        ["slave"] = Interop.MS_SLAVE,
        ["rslave"] = Interop.MS_SLAVE | Interop.MS_REC,
        ["unbindable"] = Interop.MS_UNBINDABLE,
        ["runbindable"] = Interop.MS_UNBINDABLE | Interop.MS_REC,
    };

    /// <summary>
    /// runc 1.1's recursive attributes: mount_setattr(2) with AT_RECURSIVE on the finished mount, so they reach every
    /// submount of an rbind (a plain "ro" only changes the top one). An atime value also clears MOUNT_ATTR__ATIME.
    /// </summary>
    private static readonly Dictionary<string, (bool Clear, ulong Attribute)> RecursiveWords = new(StringComparer.Ordinal)
    {
        ["rro"] = (false, Interop.MOUNT_ATTR_RDONLY),
        ["rrw"] = (true, Interop.MOUNT_ATTR_RDONLY),
        ["rnosuid"] = (false, Interop.MOUNT_ATTR_NOSUID),
        ["rsuid"] = (true, Interop.MOUNT_ATTR_NOSUID),
        ["rnodev"] = (false, Interop.MOUNT_ATTR_NODEV),
        ["rdev"] = (true, Interop.MOUNT_ATTR_NODEV),
        ["rnoexec"] = (false, Interop.MOUNT_ATTR_NOEXEC),
        ["rexec"] = (true, Interop.MOUNT_ATTR_NOEXEC),
        ["rnodiratime"] = (false, Interop.MOUNT_ATTR_NODIRATIME),
        ["rdiratime"] = (true, Interop.MOUNT_ATTR_NODIRATIME),
        ["rrelatime"] = (false, Interop.MOUNT_ATTR_RELATIME),
        ["rnorelatime"] = (true, Interop.MOUNT_ATTR_RELATIME),
        ["rnoatime"] = (false, Interop.MOUNT_ATTR_NOATIME),
        ["ratime"] = (true, Interop.MOUNT_ATTR_NOATIME),
        ["rstrictatime"] = (false, Interop.MOUNT_ATTR_STRICTATIME),
        ["rnostrictatime"] = (true, Interop.MOUNT_ATTR_STRICTATIME),
        ["rnosymfollow"] = (false, Interop.MOUNT_ATTR_NOSYMFOLLOW),
        ["rsymfollow"] = (true, Interop.MOUNT_ATTR_NOSYMFOLLOW),
    };

    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal) { "remount" };

    private MountOptions(ulong flags, ulong cleared, ulong propagation, string? data, bool copyUp, int idMap, ulong recursiveSet, ulong recursiveClear)
    {
        Flags = flags;
        Cleared = cleared;
        RecursiveSet = recursiveSet;
        RecursiveClear = recursiveClear;
        Propagation = propagation;
        Data = data;
        CopyUp = copyUp;
        IdMap = idMap != 0;
        RecursiveIdMap = idMap == 2;
    }

    /// <summary>runtime-spec 1.2's <c>idmap</c> or <c>ridmap</c>: an id-mapped bind mount (its mappings from the mount, else the container's).</summary>
    public bool IdMap { get; }

    /// <summary><c>ridmap</c>: the mapping applies to every mount of an rbind, not only the top one.</summary>
    public bool RecursiveIdMap { get; }

    /// <summary>runc's <c>tmpcopyup</c> extension: a tmpfs starts with a copy of what the directory it covers held.</summary>
    public bool CopyUp { get; }

    /// <summary>mount(2) flags set by the options (MS_BIND and MS_REC included).</summary>
    public ulong Flags { get; }

    /// <summary>Flags the options explicitly clear (rw, suid, dev, exec…).</summary>
    public ulong Cleared { get; }

    /// <summary>MOUNT_ATTR_* bits the recursive options (rro, rnosuid, rnoatime…) set on the mount and every submount.</summary>
    public ulong RecursiveSet { get; }

    /// <summary>MOUNT_ATTR_* bits the recursive options (rrw, rsuid, ratime…) clear; MOUNT_ATTR__ATIME with an atime value.</summary>
    public ulong RecursiveClear { get; }

    /// <summary>Every option word runcs decodes (flags, propagation, recursive attributes, extensions), for <c>runcs features</c>.</summary>
    public static IEnumerable<string> Known
        => FlagWords.Keys.Concat(PropagationWords.Keys).Concat(RecursiveWords.Keys).Concat(["tmpcopyup", "idmap", "ridmap"]);

    /// <summary>The last propagation option (MS_SHARED… with MS_REC), or 0.</summary>
    public ulong Propagation { get; }

    /// <summary>Comma-joined filesystem data, or <see langword="null"/>.</summary>
    public string? Data { get; }

    /// <summary>True for bind and rbind.</summary>
    public bool IsBind => (Flags & Interop.MS_BIND) != 0;

    /// <summary>Decodes <paramref name="options"/>.</summary>
    /// <exception cref="UnsupportedException">An option runcs does not implement (remount).</exception>
    public static MountOptions Parse(IReadOnlyList<string> options, string jsonPath)
    {
        ulong flags = 0, cleared = 0, propagation = 0, recursiveSet = 0, recursiveClear = 0;
        List<string>? data = null;
        bool copyUp = false;
        int idMap = 0;
        foreach (string option in options)
        {
            if (option == "tmpcopyup")
            {
                copyUp = true;
            }
            else if (option is "idmap" or "ridmap")
            {
                idMap = option == "ridmap" ? 2 : Math.Max(idMap, 1);
            }
            else if (FlagWords.TryGetValue(option, out (bool Clear, ulong Flag) word))
            {
                if (word.Clear)
                {
                    flags &= ~word.Flag;
                    cleared |= word.Flag;
                }
                else
                {
                    flags |= word.Flag;
                    cleared &= ~word.Flag;
                }
            }
            else if (RecursiveWords.TryGetValue(option, out (bool Clear, ulong Attribute) attribute))
            {
                Recursive(attribute.Clear, attribute.Attribute, ref recursiveSet, ref recursiveClear);
            }
            else if (PropagationWords.TryGetValue(option, out ulong value))
            {
                propagation = value;
            }
            else if (Refused.Contains(option))
            {
                throw new UnsupportedException($"{jsonPath}: mount option \"{option}\" is not supported by runcs yet");
            }
            else
            {
                (data ??= []).Add(option);
            }
        }

        return new MountOptions(flags, cleared, propagation, data is null ? null : string.Join(',', data), copyUp, idMap, recursiveSet, recursiveClear);
    }

    /// <summary>Folds one recursive option in; a later option wins over an earlier one for the same attribute.</summary>
    private static void Recursive(bool clear, ulong attribute, ref ulong set, ref ulong cleared)
    {
        if (clear && attribute == Interop.MOUNT_ATTR_RELATIME)
        {
            // rnorelatime names no other value; as in runc it changes nothing.
            return;
        }

        bool isAtime = attribute is Interop.MOUNT_ATTR_RELATIME or Interop.MOUNT_ATTR_NOATIME or Interop.MOUNT_ATTR_STRICTATIME;
        if (isAtime)
        {
            // The atime setting is one value, not independent bits: mount_setattr(2) takes it only with all of
            // MOUNT_ATTR__ATIME in attr_clr (a partial clear is EINVAL). Clearing a value (ratime, rnostrictatime)
            // therefore falls back to relatime, the value 0 (checked on this host: attr_clr 0x10 alone is EINVAL).
            set &= ~Interop.MOUNT_ATTR__ATIME;
            cleared |= Interop.MOUNT_ATTR__ATIME;
            if (!clear)
            {
                set |= attribute;
            }
        }
        else if (clear)
        {
            set &= ~attribute;
            cleared |= attribute;
        }
        else
        {
            set |= attribute;
            cleared &= ~attribute;
        }
    }

    /// <summary>
    /// The mount_setattr(2) attributes for a bind mount: what the options set and clear.
    /// </summary>
    /// <exception cref="UnsupportedException">A flag that cannot be applied to a bind mount (sync, dirsync, mand).</exception>
    public (ulong Set, ulong Clear) BindAttributes(string jsonPath)
    {
        ulong unsupported = Interop.MS_SYNCHRONOUS | Interop.MS_DIRSYNC | Interop.MS_MANDLOCK;
        if ((Flags & unsupported) != 0)
        {
            throw new UnsupportedException($"{jsonPath}: sync, dirsync and mand are superblock flags and cannot be applied to a bind mount");
        }

        ulong set = 0, clear = 0;
        Map(Interop.MS_RDONLY, Interop.MOUNT_ATTR_RDONLY, ref set, ref clear);
        Map(Interop.MS_NOSUID, Interop.MOUNT_ATTR_NOSUID, ref set, ref clear);
        Map(Interop.MS_NODEV, Interop.MOUNT_ATTR_NODEV, ref set, ref clear);
        Map(Interop.MS_NOEXEC, Interop.MOUNT_ATTR_NOEXEC, ref set, ref clear);
        Map(Interop.MS_NODIRATIME, Interop.MOUNT_ATTR_NODIRATIME, ref set, ref clear);
        Map(Interop.MS_NOSYMFOLLOW, Interop.MOUNT_ATTR_NOSYMFOLLOW, ref set, ref clear);
        if ((Flags & Interop.MS_NOATIME) != 0)
        {
            set |= Interop.MOUNT_ATTR_NOATIME;
            clear |= Interop.MOUNT_ATTR__ATIME;
        }
        else if ((Flags & Interop.MS_STRICTATIME) != 0)
        {
            set |= Interop.MOUNT_ATTR_STRICTATIME;
            clear |= Interop.MOUNT_ATTR__ATIME;
        }
        else if ((Flags & Interop.MS_RELATIME) != 0)
        {
            clear |= Interop.MOUNT_ATTR__ATIME;
        }

        return (set, clear);
    }

    private void Map(ulong msFlag, ulong attribute, ref ulong set, ref ulong clear)
    {
        if ((Flags & msFlag) != 0)
        {
            set |= attribute;
        }
        else if ((Cleared & msFlag) != 0)
        {
            clear |= attribute;
        }
    }
}
