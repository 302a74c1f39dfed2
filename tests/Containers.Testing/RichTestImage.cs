namespace Containers.Testing;

/// <summary>
/// A three-layer OCI image (busybox, then two layers made with coreutils, mknod, setcap and GNU tar) that
/// exercises everything an unpacker must get right: whiteouts of files and directories, an opaque directory,
/// hard link groups, absolute, relative and dangling symlinks, a fifo, char and block devices, setuid, setgid
/// and sticky modes, a read-only file, non-root owners (also of a symlink), user xattrs (text and binary, on a
/// file and a directory), <c>security.capability</c>, a file replaced by a directory, and a directory whose mode
/// changes in the upper layer. Owners and mtimes are archived as they are (PAX, nanoseconds).
/// </summary>
public static class RichTestImage
{
    private const string LowerScript = """
        set -e
        cd "$1"
        mkdir -p data/sub opaque hl links devs modes owned replace etc
        echo a > data/a; echo b > data/b; echo x > data/sub/x; echo gone > data/gone
        echo old1 > opaque/old1; echo old2 > opaque/old2
        echo motd > etc/motd
        echo shared > hl/orig; ln hl/orig hl/link; ln hl/orig hl/link2
        ln -s /bin/busybox links/abs; ln -s ../data/a links/rel; ln -s nowhere links/dangling
        mkfifo devs/fifo; mknod devs/null c 1 3; mknod devs/loop b 7 200
        cp /bin/busybox modes/suid; chmod 4755 modes/suid
        mkdir modes/sticky; chmod 1777 modes/sticky
        mkdir modes/sgid; chmod 2775 modes/sgid
        echo r > modes/ro; chmod 0400 modes/ro
        cp /bin/busybox modes/capped; /usr/sbin/setcap cap_net_raw,cap_net_admin+ep modes/capped
        echo o > owned/file; chown 1000:1001 owned/file
        ln -s file owned/link; chown -h 4321:8765 owned/link
        chown 1234:5678 owned
        echo file > replace/thing
        """;

    private const string UpperScript = """
        set -e
        cd "$1"
        mkdir -p opaque data etc replace/thing
        : > opaque/.wh..wh..opq; echo new > opaque/new
        : > etc/.wh.motd
        : > data/.wh.sub; : > data/.wh.gone
        echo changed > data/a
        chmod 0700 data
        echo inner > replace/thing/inner
        echo two > hl2a; ln hl2a hl2b
        """;

    /// <summary>Writes the image as an OCI layout tagged <paramref name="tag"/>; needs root (mknod, chown) and setcap.</summary>
    /// <param name="layoutDirectory">Where the layout goes.</param>
    /// <param name="tag">The tag (<c>org.opencontainers.image.ref.name</c>).</param>
    public static async Task<OciTestImage.Result> WriteAsync(string layoutDirectory, string tag = "rich")
    {
        TestHost.RequireRoot("mknod and chown in the test layers");
        TestHost.RequireTool("/usr/sbin/setcap", "libcap2-bin");
        using TempDirectory work = new("rich-image-");
        string lower = work.Combine("lower");
        string upper = work.Combine("upper");
        Directory.CreateDirectory(lower);
        Directory.CreateDirectory(upper);
        await Tool.RunCheckedAsync("/bin/sh", "-c", LowerScript, "sh", lower);
        FileTree.SetXattr(Path.Combine(lower, "data/b"), "user.note", "hello"u8);
        FileTree.SetXattr(Path.Combine(lower, "data/b"), "user.binary", [0x00, 0xff, 0x0a, 0x80, 0x01, 0x0a]);
        FileTree.SetXattr(Path.Combine(lower, "data"), "user.dir", "d"u8);
        await Tool.RunCheckedAsync("/bin/sh", "-c", UpperScript, "sh", upper);
        FileTree.SetXattr(Path.Combine(upper, "opaque/new"), "user.layer", "two"u8);
        return await OciTestImage.WriteBusyboxAsync(layoutDirectory, tag, [lower, upper], keepOwnersAndTimes: true);
    }
}
