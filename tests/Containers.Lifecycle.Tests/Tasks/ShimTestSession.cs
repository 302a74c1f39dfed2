using Containers.Events;
using Containers.Lifecycle.Tasks;
using Containers.Oci;
using Containers.Tasks;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// The setup the shim tests share: a <see cref="ShimTestBed"/>, one <see cref="ShimTaskService"/> over it for one
/// runtime, and — when the runtime is runc or crun — /dev/null put back afterwards (runc bug 3674). Disposed in
/// the reverse order: the service (its watchers), /dev/null, then the bed (leftover shims and containers).
/// </summary>
internal sealed class ShimTestSession : IAsyncDisposable
{
    private readonly RuncDevNullGuard? _guard;

    private ShimTestSession(ShimTestBed bed, ShimTaskService service, RuncDevNullGuard? guard)
    {
        Bed = bed;
        Service = service;
        _guard = guard;
    }

    public ShimTestBed Bed { get; }

    public ShimTaskService Service { get; }

    /// <summary>A bed and a service driving <paramref name="runtimeName"/> (as <see cref="ShimTestBed.Runtime"/> names them; the tests are ignored when it is not installed).</summary>
    public static async Task<ShimTestSession> CreateAsync(string runtimeName = "runcs", IEventBus? events = null)
    {
        ShimTestBed bed = await ShimTestBed.CreateAsync();
        try
        {
            ShimTaskService service = bed.NewService(bed.Runtime(runtimeName), events);
            return new ShimTestSession(bed, service, runtimeName is "runc" or "crun" ? new RuncDevNullGuard() : null);
        }
        catch
        {
            bed.Dispose();
            throw;
        }
    }

    public void Deconstruct(out ShimTestBed bed, out ShimTaskService service) => (bed, service) = (Bed, Service);

    /// <summary>A task whose init runs <paramref name="script"/> with /bin/sh and no stdio, created and started; returns its id, bundle, log path (unused by it) and pid.</summary>
    public async Task<(string Id, string Bundle, string Log, int Pid)> StartTaskAsync(string prefix, string script, params SpecOption[] options)
    {
        (string id, string bundle, string log) = await Bed.BundleAsync(prefix, script, null, options);
        int pid = await Service.CreateAsync(new TaskCreateRequest(id, bundle));
        Assert.That(await Service.StartAsync(id), Is.EqualTo(pid));
        return (id, bundle, log, pid);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Service.DisposeAsync();
            _guard?.Dispose();
        }
        finally
        {
            Bed.Dispose();
        }
    }
}
