using Containers.Client;
using Containers.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Samples.Ctrs;

/// <summary>
/// The library runtime one ctrs command works with: <c>AddContainerRuntime</c> over ctrs's root, state
/// directory and namespace, and the event journal that records what this process published.
/// </summary>
internal sealed class CtrsRuntime : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly EventJournal _journal;

    private CtrsRuntime(ServiceProvider services, ContainerClient client, EventJournal journal, CtrsSettings settings)
    {
        _services = services;
        Client = client;
        _journal = journal;
        Settings = settings;
    }

    public ContainerClient Client { get; }

    public CtrsSettings Settings { get; }

    /// <summary>Builds the services; the journal subscribes before anything can publish.</summary>
    public static CtrsRuntime Open(CtrsSettings settings)
    {
        ServiceCollection services = new();
        services.AddContainerRuntime(o =>
        {
            o.Root = settings.Root;
            o.State = settings.State;
            o.Namespace = settings.Namespace;
            o.RuncsPath = settings.Runcs;
            // One command per process: a spare shim would be started only to be shut down when the command ends.
            o.SpareShim = false;
        });
        ServiceProvider provider = services.BuildServiceProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        EventJournal journal = EventJournal.Start(client.Events, EventJournal.PathUnder(settings.Root));
        return new CtrsRuntime(provider, client, journal, settings);
    }

    /// <summary>Where a detached task's output goes (the shim appends to it while no ctrs is attached).</summary>
    public string LogFile(string id) => Path.Combine(Settings.State, "logs", Settings.Namespace, id + ".log");

    public async ValueTask DisposeAsync()
    {
        await _journal.DisposeAsync();
        await _services.DisposeAsync();
    }
}
