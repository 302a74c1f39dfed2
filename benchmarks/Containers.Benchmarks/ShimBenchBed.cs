using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Containers.Lifecycle.Tasks;
using Containers.Tasks;

namespace Containers.Benchmarks;

/// <summary>
/// What the shim benchmarks share: a busybox bundle (its own cgroup path per bundle), the published runcs,
/// and <see cref="ShimTaskService"/>s over state directories of their own under one work directory.
/// </summary>
internal sealed class ShimBenchBed : IDisposable
{
    private readonly string _tag = "shimbench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
    private readonly string _rootfs;
    private int _next;

    public ShimBenchBed()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new InvalidOperationException("the shim benchmarks start containers and need root");
        }

        Work = Directory.CreateTempSubdirectory("shim-bench-").FullName;
        _rootfs = Path.Combine(Work, "rootfs");
        RuntimeStartBenchmarks.BuildBundle(_rootfs);
        Runcs = RuntimeStartBenchmarks.FindOrPublishRuncs();
    }

    /// <summary>The work directory (removed by <see cref="Dispose"/>).</summary>
    public string Work { get; }

    /// <summary>The runcs binary the shims run.</summary>
    public string Runcs { get; }

    /// <summary>Options that put a task into the shared shim of <paramref name="group"/>.</summary>
    public static byte[] GroupOptions(string group) => Encoding.UTF8.GetBytes($$"""{"{{ShimTaskService.ShimGroupOption}}": "{{group}}"}""");

    /// <summary>A task service over its own state directory; <paramref name="runtime"/> null runs runcs in the shim.</summary>
    public ShimTaskService Service(string name, string? runtime = null)
        => new(new ShimTaskServiceOptions { StateDirectory = Path.Combine(Work, name), ShimPath = Runcs, Runtime = runtime, Namespace = "bench" });

    /// <summary>A bundle over the shared rootfs running <paramref name="args"/>, in cgroup /&lt;tag&gt;-&lt;name&gt;.</summary>
    public string Bundle(string name, params string[] args)
    {
        string bundle = Path.Combine(Work, "bundle-" + name);
        Directory.CreateDirectory(bundle);
        _ = RuntimeStartBenchmarks.Run(Runcs, "spec", "-b", bundle);
        JsonObject config = JsonNode.Parse(File.ReadAllText(Path.Combine(bundle, "config.json")))!.AsObject();
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]);
        config["root"]!["path"] = _rootfs;
        config["linux"]!["cgroupsPath"] = "/" + _tag + "-" + name;
        File.WriteAllText(Path.Combine(bundle, "config.json"), config.ToJsonString());
        return bundle;
    }

    /// <summary>A fresh container id.</summary>
    public string NextId() => _tag + "-" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);

    /// <summary>Create → start → wait → delete of one task; throws unless it exited 0.</summary>
    public static async Task RunOnceAsync(ShimTaskService service, string id, string bundle, ReadOnlyMemory<byte> options = default)
    {
        _ = await service.CreateAsync(new TaskCreateRequest(id, bundle) { Options = options }).ConfigureAwait(false);
        _ = await service.StartAsync(id).ConfigureAwait(false);
        ExitStatus exit = await service.WaitAsync(id).ConfigureAwait(false);
        _ = await service.DeleteAsync(id).ConfigureAwait(false);
        if (exit.ExitCode != 0)
        {
            throw new InvalidOperationException($"task {id} exited with {exit.ExitCode} {exit.Failure}");
        }
    }

    public void Dispose()
    {
        foreach (string cgroup in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
        {
            foreach (string left in Directory.Exists(cgroup) ? Directory.GetDirectories(cgroup, _tag + "-*") : [])
            {
                try
                {
                    Directory.Delete(left); // rmdir of an empty cgroup this bed's bundles named
                }
                catch (IOException)
                {
                }
            }
        }

        // A shim removes its own directory as it exits after its last delete: let that finish first.
        for (int i = 0; i < 1000 && Directory.EnumerateDirectories(Work, "shims", SearchOption.AllDirectories).Any(d => Directory.EnumerateFileSystemEntries(d).Any()); i++)
        {
            Thread.Sleep(10);
        }

        Directory.Delete(Work, recursive: true);
    }
}
