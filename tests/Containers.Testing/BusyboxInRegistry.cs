namespace Containers.Testing;

/// <summary>
/// A busybox image (built from busybox-static) pushed with skopeo into a fresh Debian docker-registry on
/// 127.0.0.1, plus a temporary directory for the test's roots and state. Disposing it unmounts whatever
/// is still mounted under that directory (what a failed test left), stops the registry and removes the directory.
/// </summary>
public sealed class BusyboxInRegistry : IAsyncDisposable
{
    private BusyboxInRegistry(TempDirectory directory, LocalRegistry registry, string reference)
    {
        Directory = directory;
        Registry = registry;
        Reference = reference;
    }

    /// <summary>The test's directory (the image's OCI layout is in its <c>layout</c> folder).</summary>
    public TempDirectory Directory { get; }

    /// <summary>The running registry.</summary>
    public LocalRegistry Registry { get; }

    /// <summary>The image's reference: <c>127.0.0.1:port/repository:v1</c>.</summary>
    public string Reference { get; }

    /// <summary>Starts the registry and pushes the image; ignores the test when docker-registry is not installed.</summary>
    /// <param name="directoryPrefix">The prefix of the temporary directory's name.</param>
    /// <param name="repository">The repository the image is pushed to, e.g. <c>samples/busybox</c>.</param>
    public static async Task<BusyboxInRegistry> StartAsync(string directoryPrefix, string repository)
    {
        if (!File.Exists(LocalRegistry.RegistryPath))
        {
            Assert.Ignore($"{LocalRegistry.RegistryPath} is not installed");
        }

        TempDirectory directory = new(directoryPrefix);
        LocalRegistry registry = await LocalRegistry.StartAsync();
        string layout = directory.Combine("layout");
        await OciTestImage.WriteBusyboxAsync(layout, "v1");
        await OciTestImage.PushWithSkopeoAsync(layout, "v1", registry, repository);
        return new BusyboxInRegistry(directory, registry, $"{registry.Host}/{repository}:v1");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // Deepest first, lazily: a leftover container may still hold one.
        foreach (string mount in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(p => p.StartsWith(Directory.Path, StringComparison.Ordinal)).Reverse())
        {
            _ = await Tool.RunAsync("umount", ["-l", mount]);
        }

        await Registry.DisposeAsync();
        Directory.Dispose();
    }
}
