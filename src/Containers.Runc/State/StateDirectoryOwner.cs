using System.Globalization;

namespace Containers.Runc.State;

/// <summary>
/// The OWNER runc's <c>list</c> prints: the user name of the container's state directory's uid from the host's
/// /etc/passwd (runc's libcontainer/user lookup, no NSS), or <c>#uid</c> when no entry names it.
/// </summary>
internal sealed class StateDirectoryOwner
{
    private readonly Dictionary<uint, string> _names = [];

    private StateDirectoryOwner()
    {
    }

    /// <summary>Reads /etc/passwd once (a missing or unreadable file leaves every owner as <c>#uid</c>).</summary>
    public static StateDirectoryOwner Load(string passwdPath = "/etc/passwd")
    {
        StateDirectoryOwner owner = new();
        if (!File.Exists(passwdPath))
        {
            return owner;
        }

        foreach (string line in File.ReadLines(passwdPath))
        {
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
            {
                // The first entry for a uid wins, as a sequential scan of the file finds it.
                owner._names.TryAdd(uid, fields[0]);
            }
        }

        return owner;
    }

    /// <summary>The owner's name of <paramref name="directory"/> (lstat, as runc's directory listing).</summary>
    public string Of(string directory)
    {
        uint uid = OwnerUid(directory);
        return _names.TryGetValue(uid, out string? name) ? name : string.Create(CultureInfo.InvariantCulture, $"#{uid}");
    }

    private static unsafe uint OwnerUid(string path)
    {
        const int AtSymlinkNoFollow = 0x100;
        const uint StatxUid = 0x8;
        const int UidOffset = 20; // struct statx: mask, blksize, attributes, nlink, then uid.
        byte* buffer = stackalloc byte[256];
        Interop.ThrowOnError(Interop.Statx(Interop.AT_FDCWD, path, AtSymlinkNoFollow, StatxUid, buffer), "statx", path);
        return *(uint*)(buffer + UidOffset);
    }
}
