namespace Containers.Testing;

/// <summary>
/// Debian's runc 1.1.5 sometimes chowns the host's /dev/null (runc bug 3674). A test that runs runc
/// disposes one of these afterwards, which puts /dev/null back to root:root 0666.
/// </summary>
public sealed class RuncDevNullGuard : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Tool.RunAsync("chown", ["root:root", "/dev/null"]).GetAwaiter().GetResult();
        File.SetUnixFileMode("/dev/null", (UnixFileMode)0b110_110_110);
    }
}
