using Containers.Linux.Tests.Runc;
using Containers.Testing;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// The OCI runtime a client drives in these tests: runcs (published NativeAOT) or Debian's runc 1.1.5, the anchor
/// whose results runcs must reproduce. Runs of runc end with <see cref="RuncDevNullGuard"/>.
/// </summary>
public sealed class ClientRuntime
{
    private ClientRuntime(string name, string path)
    {
        Name = name;
        Path = path;
    }

    /// <summary>"runcs" or "runc".</summary>
    public string Name { get; }

    /// <summary>The executable the client is given.</summary>
    public string Path { get; }

    /// <summary>The runtime named <paramref name="name"/>; runc is skipped visibly when it is not installed.</summary>
    public static ClientRuntime Of(string name)
    {
        if (name == "runc")
        {
            TestHost.RequireTool("/usr/sbin/runc", "runc");
            return new ClientRuntime(name, "/usr/sbin/runc");
        }

        return new ClientRuntime(name, RuncsBinary.Path);
    }

    /// <summary>Restores /dev/null after runc (runc bug 3674); nothing for runcs.</summary>
    public void AfterRun()
    {
        if (Name == "runc")
        {
            new RuncDevNullGuard().Dispose();
        }
    }

    /// <summary>Container directories left in a runtime's state root (runcs's own "@…" caches are not containers).</summary>
    public static string[] ContainersIn(string stateRoot)
        => Directory.Exists(stateRoot)
            ? [.. Directory.GetDirectories(stateRoot).Select(System.IO.Path.GetFileName).Where(n => !n!.StartsWith('@')).Select(n => n!)]
            : [];

    /// <inheritdoc />
    public override string ToString() => Name;
}
