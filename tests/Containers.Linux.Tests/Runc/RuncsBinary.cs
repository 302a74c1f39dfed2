namespace Containers.Linux.Tests.Runc;

/// <summary>
/// Publishes runcs with NativeAOT once per test run (the path is cached for the process) and
/// hands out its path. RUNCS_PATH points at an already published binary instead.
/// </summary>
public static class RuncsBinary
{
    private static readonly Lazy<string> Published = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Path => Published.Value;

    public static string RepositoryRoot
    {
        get
        {
            DirectoryInfo? directory = new(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Containers.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Containers.sln not found above the test directory");
        }
    }

    private static string Publish()
    {
        string? given = Environment.GetEnvironmentVariable("RUNCS_PATH");
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        string output = System.IO.Path.Combine(AppContext.BaseDirectory, "runcs-aot");
        ProcessResult result = Commands.Run(
            "dotnet",
            ["publish", System.IO.Path.Combine(RepositoryRoot, "src", "Containers.Runc"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"],
            timeoutSeconds: 600);
        Assert.That(result.ExitCode, Is.Zero, $"dotnet publish runcs failed:\n{result}");
        return System.IO.Path.Combine(output, "runcs");
    }
}
