namespace Containers.Benchmarks;

/// <summary>Where the benchmarks find the repository they were built from (test data, runcs sources).</summary>
internal static class BenchmarkPaths
{
    /// <summary>The directory holding Containers.sln, searched upwards from the benchmark binary.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Containers.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Containers.sln not found above " + AppContext.BaseDirectory);
    }
}
