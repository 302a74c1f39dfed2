using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// A private <c>--root</c> for runc 1.1.5 in one test: runs containers under <see cref="RuncDevNullGuard"/> (runc
/// sometimes chowns the host's /dev/null), and Dispose force-deletes any container left in it.
/// </summary>
public sealed class RuncStateRoot : IDisposable
{
    public RuncStateRoot(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"runc-{name}-{Guid.NewGuid():N}");
    }

    public string Path { get; }

    /// <summary><c>runc run</c> of the bundle in <paramref name="bundleDirectory"/> under a fresh id; asserts it exits 0 and returns its stdout.</summary>
    public string Run(string bundleDirectory)
    {
        ProcessResult result;
        using (new RuncDevNullGuard())
        {
            result = Commands.Run("runc", ["--root", Path, "run", "t-" + Guid.NewGuid().ToString("N")[..8]], bundleDirectory);
        }

        Assert.That(result.ExitCode, Is.Zero, "runc: " + result);
        return result.StandardOutput;
    }

    public void Dispose()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        using (new RuncDevNullGuard())
        {
            foreach (string container in Directory.GetDirectories(Path))
            {
                Commands.Run("runc", ["--root", Path, "delete", "--force", System.IO.Path.GetFileName(container)]);
            }
        }

        Directory.Delete(Path, recursive: true);
    }
}
