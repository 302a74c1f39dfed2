namespace Containers.Linux.Tests.Runc;

/// <summary>
/// What a runtime test works in: a <see cref="TestBundle"/>, a fresh <c>--root</c> state directory and an output
/// directory the container may bind. Disposing it force-deletes whatever container runcs or runc left in the
/// state (a failed test), then removes the directories and the bundle.
/// </summary>
internal sealed class RuntimeScratch : IDisposable
{
    /// <param name="prefix">Names the temporary directories (<c>prefix-state-…</c>, <c>prefix-out-…</c>).</param>
    public RuntimeScratch(string prefix)
    {
        Bundle = new TestBundle();
        State = Path.Combine(Path.GetTempPath(), $"{prefix}-state-{Guid.NewGuid():N}");
        Out = Directory.CreateTempSubdirectory(prefix + "-out-").FullName;
    }

    public TestBundle Bundle { get; }

    /// <summary>The runtime's <c>--root</c> (made by the runtime on first use).</summary>
    public string State { get; }

    public string Out { get; }

    public void Dispose()
    {
        if (Directory.Exists(State))
        {
            foreach (string container in Directory.GetDirectories(State))
            {
                Commands.Run(RuncsBinary.Path, ["--root", State, "delete", "--force", Path.GetFileName(container)]);
                Commands.Run("runc", ["--root", State, "delete", "--force", Path.GetFileName(container)]);
            }

            Directory.Delete(State, recursive: true);
        }

        Directory.Delete(Out, recursive: true);
        Bundle.Dispose();
    }
}
