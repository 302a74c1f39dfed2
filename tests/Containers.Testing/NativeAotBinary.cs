namespace Containers.Testing;

/// <summary>
/// A NativeAOT command of this repository as users get it: published once per test process, or the
/// already published binary an environment variable names (scripts/test.sh publishes each once for all
/// test projects: a NativeAOT publish costs minutes on 2 cores).
/// </summary>
public sealed class NativeAotBinary
{
    private readonly string _variable;
    private readonly string _project;
    private readonly string _name;
    private readonly Lazy<Task<string>> _published;

    private NativeAotBinary(string variable, string project, string name)
    {
        _variable = variable;
        _project = project;
        _name = name;
        _published = new(PublishAsync, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>runcs (src/Containers.Runc); RUNCS_PATH names a published one.</summary>
    public static NativeAotBinary Runcs { get; } = new("RUNCS_PATH", "src/Containers.Runc", "runcs");

    /// <summary>ctrs (samples/Ctrs, with libe_sqlite3.so beside it); CTRS_PATH names a published one.</summary>
    public static NativeAotBinary Ctrs { get; } = new("CTRS_PATH", "samples/Ctrs", "ctrs");

    /// <summary>The path of the binary.</summary>
    public Task<string> GetPathAsync() => _published.Value;

    private async Task<string> PublishAsync()
    {
        string? given = Environment.GetEnvironmentVariable(_variable);
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        string output = Path.Combine(AppContext.BaseDirectory, _name + "-aot");
        ToolResult result = await Tool.RunAsync("dotnet",
            ["publish", Path.Combine(TestHost.RepositoryRoot(), _project), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"],
            timeout: TimeSpan.FromMinutes(30)); // NativeAOT on a busy 2-core machine took over 10 minutes
        result.EnsureSuccess("dotnet publish " + _name);
        return Path.Combine(output, _name);
    }
}
