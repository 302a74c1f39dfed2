using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Samples.Tests;

/// <summary>
/// Each sample run briefly as the process it is, over a busybox image in Debian's docker-registry,
/// with real containers through runcs shims (root).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SamplesTests
{
    private BusyboxInRegistry _image = null!;
    private string _runcs = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        TestHost.RequireRoot("the samples run containers through runcs shims on overlayfs");
        _image = await BusyboxInRegistry.StartAsync("samples-", "samples/busybox");
        _runcs = await RuncsPublisher.GetPathAsync();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        if (_image is not null)
        {
            await _image.DisposeAsync();
        }
    }

    [Test]
    public async Task JobHost_runs_the_requested_job_in_a_container_and_answers_its_output()
    {
        int port = FreePort();
        string state = _image.Directory.Combine("jobhost-state");
        using Process host = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Sample("jobhost"), "--urls", $"http://127.0.0.1:{port}", $"--Jobs:Image={_image.Reference}",
                $"--Containers:Root={_image.Directory.Combine("jobhost-root")}", $"--Containers:State={state}", $"--Containers:Runcs={_runcs}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        StringBuilder log = new();
        host.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        host.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        try
        {
            using HttpClient http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            await WaitForListenerAsync(port, host, log);

            using HttpResponseMessage response = await http.PostAsync("/jobs", new StringContent("""{"args": ["sh", "-c", "echo hello from pid $$; echo to stderr >&2; exit 5"]}""", Encoding.UTF8, "application/json"));
            string body = await response.Content.ReadAsStringAsync();

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body + "\n" + log);
            JsonNode json = JsonNode.Parse(body)!;
            Assert.Multiple(() =>
            {
                Assert.That(json["exitCode"]!.GetValue<int>(), Is.EqualTo(5));
                Assert.That(json["stdout"]!.GetValue<string>(), Is.EqualTo("hello from pid 1\n"), "the job is PID 1 of its own container's pid namespace");
                Assert.That(json["id"]!.GetValue<string>(), Does.StartWith("run-"));
                Assert.That(json["stderr"]!.GetValue<string>(), Is.EqualTo("to stderr\n"));
            });

            using HttpResponseMessage bad = await http.PostAsync("/jobs", new StringContent("""{"args": []}""", Encoding.UTF8, "application/json"));
            Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }
        finally
        {
            // SIGTERM, as a service manager stops it: the host shuts down and disposes the runtime, which shuts its
            // spare shim down (a host killed outright would leave that shim to its idle exit). Killed if it hangs.
            if (!await GracefulStop.StopAsync(host, TimeSpan.FromSeconds(30), killTree: true))
            {
                Assert.Fail("the job host did not stop within 30 s of SIGTERM\n" + log);
            }
        }

        // A shim removes its directory just after it answered its shutdown: give it a moment.
        string shims = Path.Combine(state, "shims");
        for (int i = 0; i < 200 && Directory.Exists(shims) && Directory.GetDirectories(shims).Length > 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.That(Directory.Exists(shims) ? Directory.GetDirectories(shims) : [], Is.Empty, "no shim is left");
    }

    [Test]
    public async Task ResourceLimits_shows_the_oom_kill_the_refused_fork_and_the_cpu_quota()
    {
        ToolResult result = await RunSampleAsync("resourcelimits", _image.Reference);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StandardError);
        string[] lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Exactly(3).Items, result.StandardOutput);
        Assert.That(lines[0], Is.EqualTo("memory 32 MiB: exit 137 (killed by SIGKILL: the OOM killer)"));
        Assert.That(lines[1], Does.StartWith("pids 16: ").And.Contain("can't fork"));
        int started = int.Parse(lines[1].Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(started, Is.InRange(1, 15), "the sleepers started before the pids limit (16, the shell included) refused a fork");
        Assert.That(lines[2], Does.Match(@"^cpu: 2 s busy loop, \d+ iterations without a limit, \d+ under a 0.2-cpu quota$"));
    }

    [Test]
    public async Task ExecLogs_streams_the_container_output_and_the_execs_output()
    {
        ToolResult result = await RunSampleAsync("execlogs", "--seconds", "4", _image.Reference);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StandardError);
        string[] lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain("[app] tick 0").And.Contain("[app] tick 1"));
            Assert.That(lines.Where(l => l.StartsWith("[exec] ", StringComparison.Ordinal) && l.Contains("while true", StringComparison.Ordinal)), Is.Not.Empty, "ps in the container shows its PID 1");
            Assert.That(lines, Does.Contain("exec ps: exit 0"));
            Assert.That(lines.Where(l => l == "[exec] uid 0 in /"), Has.Exactly(1).Items);
            Assert.That(lines, Does.Contain("exec whoami: exit 3"));
            Assert.That(lines[^1], Is.EqualTo("app: exit 137"));
        });
    }

    private Task<ToolResult> RunSampleAsync(string name, params string[] args)
        => Tool.RunAsync("dotnet", [Sample(name), "--root", _image.Directory.Combine(name + "-root"), "--state", _image.Directory.Combine(name + "-state"), "--runcs", _runcs, .. args], timeout: TimeSpan.FromMinutes(4));

    private static string Sample(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, name + ".dll");

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the host accepts connections (it pulls the image before it serves).</summary>
    private static async Task WaitForListenerAsync(int port, Process host, StringBuilder log)
    {
        for (int attempt = 0; attempt < 1200; attempt++)
        {
            if (host.HasExited)
            {
                Assert.Fail($"jobhost exited with {host.ExitCode}:\n{log}");
            }

            try
            {
                using TcpClient client = new();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail($"jobhost did not listen within 2 minutes:\n{log}");
    }
}
