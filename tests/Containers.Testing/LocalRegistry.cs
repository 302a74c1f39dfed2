using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Containers.Testing;

/// <summary>
/// Debian's docker-registry (distribution 2.8) on 127.0.0.1 with storage in a temporary directory,
/// started for a test fixture and stopped (and its storage removed) on dispose.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    /// <summary>Where Debian's docker-registry package installs the server.</summary>
    public const string RegistryPath = "/usr/bin/docker-registry";

    private readonly TempDirectory _directory;
    private readonly string _config;
    private Process _process;

    private LocalRegistry(Process process, TempDirectory directory, string config, int port)
    {
        _process = process;
        _directory = directory;
        _config = config;
        Port = port;
    }

    /// <summary>The port on 127.0.0.1 the registry listens on.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, the registry's host as used in image references.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Where the registry keeps its blobs and manifests (for corrupting a blob on purpose).</summary>
    public string StorageDirectory => _directory.Combine("storage");

    /// <summary>The YAML <c>auth:</c> section for Basic auth from an htpasswd (bcrypt) file.</summary>
    public static string HtpasswdAuth(string htpasswdFile) => $"auth:\n  htpasswd:\n    realm: test\n    path: {htpasswdFile}\n";

    /// <summary>The YAML <c>auth:</c> section for token auth: tokens signed by the key of <paramref name="rootCertBundle"/>.</summary>
    public static string TokenAuth(string realm, string service, string issuer, string rootCertBundle) =>
        $"auth:\n  token:\n    realm: {realm}\n    service: {service}\n    issuer: {issuer}\n    rootcertbundle: {rootCertBundle}\n";

    /// <summary>Starts a registry; <paramref name="authYaml"/> (see <see cref="HtpasswdAuth"/>, <see cref="TokenAuth"/>) turns on auth.</summary>
    public static async Task<LocalRegistry> StartAsync(string? authYaml = null)
    {
        TestHost.RequireTool(RegistryPath, "docker-registry");
        TempDirectory directory = new("ctr-registry-");
        int port = FreePort();
        string auth = authYaml ?? string.Empty;
        string config = directory.Combine("config.yml");
        await File.WriteAllTextAsync(config,
            "version: 0.1\n" +
            "log:\n  level: error\n  accesslog:\n    disabled: true\n" +
            $"storage:\n  filesystem:\n    rootdirectory: {directory.Combine("storage")}\n  delete:\n    enabled: true\n" +
            $"http:\n  addr: 127.0.0.1:{port}\n" +
            auth);

        LocalRegistry registry = new(Launch(config), directory, config, port);
        try
        {
            await registry.WaitUntilServingAsync();
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    /// <summary>Kills the registry (connections in flight drop), then starts it again on the same port and storage.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        await Task.Delay(downtime);
        _process = Launch(_config);
        await WaitUntilServingAsync();
    }

    private static Process Launch(string config)
    {
        ProcessStartInfo start = new(RegistryPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        Process process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitUntilServingAsync()
    {
        using HttpClient http = new() { Timeout = TimeSpan.FromSeconds(2) };
        for (int attempt = 0; attempt < 200; attempt++)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync($"http://{Host}/v2/");
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"docker-registry did not answer on {Host}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
