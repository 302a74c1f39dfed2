namespace Containers.Testing;

/// <summary>
/// Publishes runcs (NativeAOT) once per test process and hands out its path; RUNCS_PATH points at
/// an already published binary instead.
/// </summary>
public static class RuncsPublisher
{
    private static readonly Lazy<Task<string>> Published = new(PublishAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path of the runcs binary.</summary>
    public static Task<string> GetPathAsync() => Published.Value;

    private static async Task<string> PublishAsync()
    {
        string? given = Environment.GetEnvironmentVariable("RUNCS_PATH");
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        string output = Path.Combine(AppContext.BaseDirectory, "runcs-aot");
        ToolResult result = await Tool.RunAsync("dotnet",
            ["publish", Path.Combine(TestHost.RepositoryRoot(), "src", "Containers.Runc"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"],
            timeout: TimeSpan.FromMinutes(30)); // NativeAOT on a busy 2-core machine took over 10 minutes
        result.EnsureSuccess("dotnet publish runcs");
        return Path.Combine(output, "runcs");
    }
}
