using Containers.Content;
using Containers.Events;
using Containers.Images;
using Containers.Snapshots;

namespace Containers.Samples.Ctrs;

/// <summary>
/// The events of a ctrs command that works on the stores directly (<c>images</c>, <c>content</c>,
/// <c>snapshots</c>, <c>gc</c>): the stores are wrapped in the library's publishing decorators, as
/// <c>AddContainerRuntime</c> registers them, and the <see cref="EventJournal"/> records what they publish, so
/// <c>ctrs events</c> — another process — sees these changes as it sees those of <c>run</c>, <c>tasks</c> and
/// <c>containers</c>.
/// </summary>
internal sealed class CommandEvents : IAsyncDisposable
{
    private readonly InProcessEventBus _bus = new();
    private readonly EventJournal _journal;

    private CommandEvents(string root, string @namespace)
    {
        Namespace = @namespace;
        // Subscribed before any store exists, so nothing this process publishes is missed.
        _journal = EventJournal.Start(_bus, EventJournal.PathUnder(root));
    }

    /// <summary>The bus the wrapped stores publish on.</summary>
    public IEventBus Bus => _bus;

    /// <summary>The namespace stamped on the events (the command's <c>--namespace</c>).</summary>
    public string Namespace { get; }

    public static CommandEvents Start(string root, string @namespace) => new(root, @namespace);

    public IContentStore Publishing(IContentStore content) => new PublishingContentStore(content, _bus, Namespace);

    public IImageStore Publishing(IImageStore images) => new PublishingImageStore(images, _bus, Namespace);

    /// <summary>Wraps a snapshotter (disposed with the wrapper).</summary>
    public ISnapshotter Publishing(ISnapshotter snapshotter, string name) => new PublishingSnapshotter(snapshotter, name, _bus, Namespace);

    /// <summary>Waits until everything published is in the journal.</summary>
    public ValueTask DisposeAsync() => _journal.DisposeAsync();
}
