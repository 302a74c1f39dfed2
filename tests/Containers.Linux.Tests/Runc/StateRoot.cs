namespace Containers.Linux.Tests.Runc;

/// <summary>A private <c>--root</c> for one test; Dispose force-deletes any container left in it.</summary>
public sealed class StateRoot : IDisposable
{
    public StateRoot(string name)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{name}-state-{Guid.NewGuid():N}");
    }

    public string Path { get; }

    public string[] Containers => Directory.Exists(Path) ? Directory.GetDirectories(Path) : [];

    public void Dispose()
    {
        foreach (string directory in Containers)
        {
            Commands.Run(RuncsBinary.Path, ["--root", Path, "delete", "--force", System.IO.Path.GetFileName(directory)]);
        }

        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
