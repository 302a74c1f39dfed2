namespace Containers.Testing;

/// <summary>Inode attributes as e2fsprogs prints them (<c>lsattr</c>), and the file-system check the +T tests need.</summary>
public static class InodeAttributes
{
    /// <summary>The attribute letters <c>lsattr -d</c> prints for <paramref name="directory"/> (T: top of directory hierarchies).</summary>
    public static async Task<string> OfAsync(string directory)
    {
        ToolResult result = await Tool.RunAsync("lsattr", ["-d", directory]);
        Assert.That(result.ExitCode, Is.Zero, result.StandardError);
        return result.StandardOutput.Split(' ', 2)[0];
    }

    /// <summary>Ignores the test, saying why, unless <paramref name="path"/> is on ext2/3/4 (statfs magic 0xef53).</summary>
    public static async Task RequireExt4Async(string path)
    {
        ToolResult result = await Tool.RunAsync("stat", ["-f", "-c", "%t", path]);
        if (result.StandardOutput.Trim() != "ef53")
        {
            Assert.Ignore($"needs its directory on ext2/3/4 (chattr +T); {path} is on a file system of type 0x{result.StandardOutput.Trim()}");
        }
    }
}
