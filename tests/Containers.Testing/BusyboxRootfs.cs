namespace Containers.Testing;

/// <summary>
/// Builds a minimal root filesystem from Debian's busybox-static at test time (nothing comes from
/// the internet): /bin/busybox, a symlink per applet, /etc/passwd and /etc/group.
/// </summary>
public static class BusyboxRootfs
{
    /// <summary>Where Debian's busybox-static installs the binary.</summary>
    public const string BusyboxPath = "/bin/busybox";

    /// <summary>Creates the tree under <paramref name="root"/> (which may exist and be empty).</summary>
    public static async Task CreateAsync(string root)
    {
        TestHost.RequireTool(BusyboxPath, "busybox-static");
        Directory.CreateDirectory(root);
        foreach (string dir in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "dev", "etc", "proc", "sys", "root", "var", "home", "run" })
        {
            Directory.CreateDirectory(Path.Combine(root, dir));
        }

        string tmp = Path.Combine(root, "tmp");
        Directory.CreateDirectory(tmp);
        File.SetUnixFileMode(tmp, (UnixFileMode)0b1_111_111_111); // 1777

        string busybox = Path.Combine(root, "bin", "busybox");
        File.Copy(BusyboxPath, busybox, overwrite: true);
        File.SetUnixFileMode(busybox, (UnixFileMode)0b111_101_101); // 0755

        ToolResult list = await Tool.RunCheckedAsync(BusyboxPath, "--list-full");
        foreach (string applet in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string link = Path.Combine(root, applet);
            if (applet == "bin/busybox" || File.Exists(link) || Directory.Exists(link))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(link)!);
            File.CreateSymbolicLink(link, "/bin/busybox");
        }

        await File.WriteAllTextAsync(Path.Combine(root, "etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        await File.WriteAllTextAsync(Path.Combine(root, "etc", "group"),
            "root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnogroup:x:65534:\n");
    }
}
