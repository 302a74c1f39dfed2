using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Containers.Benchmarks;

/// <summary>
/// <c>run</c> of a busybox container that runs <c>true</c>, end to end as a caller sees it
/// (process start to exit, container deleted): runcs (NativeAOT) against Debian's runc and crun on
/// the same bundle. Needs root; <see cref="Program"/> leaves it out, with a message, otherwise.
/// Run: sudo dotnet run -c Release --project benchmarks/Containers.Benchmarks -- --filter '*RuntimeStart*'
/// (RUNCS=/path/to/runcs uses a published binary; else artifacts/runcs/runcs, published if missing).
/// </summary>
/// <remarks>
/// Debian's crun 1.8 refuses hybrid cgroup hosts, so crun runs inside <c>unshare -m sh -c</c> with an
/// empty tmpfs over /sys/fs/cgroup/unified; <see cref="UnshareOnly"/> measures that wrapper alone so
/// it can be subtracted. benchmarks/scripts/runtime-compare.sh does the same comparison in bash with
/// the namespace set up once, which is the cleaner crun figure.
/// Measured 2026-11-29 on this project's shared 2-core VM (load average about 15 from other builds,
/// so absolute times are noisy), 20 iterations each, medians: runcs 21.9 ms, runc 53.8 ms, crun
/// 35.1 ms of which the wrapper (UnshareOnly) is 12.6 ms. runcs creates no cgroups yet, runc and
/// crun do, so runcs does less work per run.
/// </remarks>
// One invocation per iteration (one container per measurement), for all methods alike, since
// Runc's iteration cleanup forces that anyway.
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 20, invocationCount: 1)]
[MedianColumn]
public class RuntimeStartBenchmarks
{
    private const string CrunWrapper = "mount --make-rprivate / && mount -t tmpfs none /sys/fs/cgroup/unified && exec \"$@\"";
    private readonly string _tag = "rtbench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
    private string _work = string.Empty;
    private string _bundle = string.Empty;
    private string _runcs = string.Empty;
    private int _next;

    /// <summary>Whether this process can run containers (root); the benchmarks are left out otherwise.</summary>
    public static bool CanRun => Environment.IsPrivilegedProcess;

    [GlobalSetup]
    public void Setup()
    {
        if (!CanRun)
        {
            throw new InvalidOperationException("RuntimeStartBenchmarks need root");
        }

        _work = Directory.CreateTempSubdirectory("runtime-start-bench-").FullName;
        _bundle = Path.Combine(_work, "bundle");
        BuildBundle(Path.Combine(_bundle, "rootfs"));
        _runcs = FindOrPublishRuncs();
        Run(_runcs, "spec", "-b", _bundle);
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(_bundle, "config.json")))!.AsObject();
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("true");
        File.WriteAllText(Path.Combine(_bundle, "config.json"), config.ToJsonString());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_work.Length == 0)
        {
            return;
        }

        RestoreDevNull();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>runcs, our runtime, published NativeAOT.</summary>
    [Benchmark(Baseline = true)]
    public void Runcs() => Run(_runcs, "--root", Path.Combine(_work, "state-runcs"), "run", "-b", _bundle, NextId());

    /// <summary>Debian's runc 1.1.</summary>
    [Benchmark]
    public void Runc()
    {
        Run("runc", "--root", Path.Combine(_work, "state-runc"), "run", "-b", _bundle, NextId());
    }

    /// <summary>Debian's crun 1.8, inside the mount-namespace wrapper it needs on this host.</summary>
    [Benchmark]
    public void Crun() => Run("unshare", "-m", "sh", "-c", CrunWrapper, "sh", "crun", "--root", Path.Combine(_work, "state-crun"), "run", "-b", _bundle, NextId());

    /// <summary>The crun wrapper alone (unshare, sh, two mounts, exec true), to subtract from <see cref="Crun"/>.</summary>
    [Benchmark]
    public void UnshareOnly() => Run("unshare", "-m", "sh", "-c", CrunWrapper, "sh", "true");

    /// <summary>runc 1.1.5 sometimes chowns the host's /dev/null (runc bug 3674); put it back.</summary>
    [IterationCleanup(Target = nameof(Runc))]
    public void RestoreDevNull()
    {
        Run("chown", "root:root", "/dev/null");
        File.SetUnixFileMode("/dev/null", (UnixFileMode)0b110_110_110);
    }

    private string NextId() => _tag + "-" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);

    private static void BuildBundle(string rootfs)
    {
        const string Busybox = "/bin/busybox";
        if (!File.Exists(Busybox))
        {
            throw new FileNotFoundException("install Debian's busybox-static", Busybox);
        }

        foreach (string dir in new[] { "bin", "sbin", "usr/bin", "usr/sbin", "dev", "etc", "proc", "sys", "tmp", "root", "run" })
        {
            Directory.CreateDirectory(Path.Combine(rootfs, dir));
        }

        File.Copy(Busybox, Path.Combine(rootfs, "bin", "busybox"));
        foreach (string applet in Run(Busybox, "--list-full").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string link = Path.Combine(rootfs, applet);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, "/bin/busybox");
            }
        }

        File.WriteAllText(Path.Combine(rootfs, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(rootfs, "etc", "group"), "root:x:0:\n");
    }

    internal static string FindOrPublishRuncs()
    {
        string? given = Environment.GetEnvironmentVariable("RUNCS");
        if (!string.IsNullOrEmpty(given))
        {
            return given;
        }

        string output = Path.Combine(BenchmarkPaths.RepositoryRoot(), "artifacts", "runcs");
        string runcs = Path.Combine(output, "runcs");
        if (!File.Exists(runcs))
        {
            Run("dotnet", "publish", Path.Combine(BenchmarkPaths.RepositoryRoot(), "src", "Containers.Runc"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo");
        }

        return runcs;
    }

    // Runs a tool to its exit; a failure is an exception, so a broken runtime cannot post a fast time.
    private static string Run(string file, params string[] args)
    {
        ProcessStartInfo start = new(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }
}
