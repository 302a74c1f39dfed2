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

    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal)
    {
        "remount", "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev",
        "rnoexec", "rexec", "rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime",
        "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow", "nosymfollow", "symfollow",
    };

    private MountOptions(ulong flags, ulong cleared, ulong propagation, string? data, bool copyUp, int idMap)
    {
        Flags = flags;
        Cleared = cleared;
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

    /// <summary>The last propagation option (MS_SHARED… with MS_REC), or 0.</summary>
    public ulong Propagation { get; }

    /// <summary>Comma-joined filesystem data, or <see langword="null"/>.</summary>
    public string? Data { get; }

    /// <summary>True for bind and rbind.</summary>
    public bool IsBind => (Flags & Interop.MS_BIND) != 0;

    /// <summary>Decodes <paramref name="options"/>.</summary>
    /// <exception cref="UnsupportedException">An option runcs does not implement yet (recursive attributes, idmap…).</exception>
    public static MountOptions Parse(IReadOnlyList<string> options, string jsonPath)
    {
        ulong flags = 0, cleared = 0, propagation = 0;
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

        return new MountOptions(flags, cleared, propagation, data is null ? null : string.Join(',', data), copyUp, idMap);
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
