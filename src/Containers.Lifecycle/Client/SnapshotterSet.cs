using System.Collections.Concurrent;
using Containers.Snapshots;
using Containers.Unpack;

namespace Containers.Client;

/// <summary>
/// The snapshotters a <see cref="ContainerClient"/> can put a container on, by name, as containerd's snapshotter
/// plugins are: the default one (<see cref="DependencyInjection.ContainerRuntimeOptions.Snapshotter"/>) and others
/// opened on first use from factories (<c>AddContainerRuntime</c> gives the built-in <c>overlayfs</c> and
/// <c>native</c>, each in <c>Root/snapshots/&lt;name&gt;</c>). A container names its snapshotter in
/// <see cref="ContainerOptions.Snapshotter"/>; its record keeps the name, so its mounts and its removal go to the
/// same snapshotter in any later process. Snapshotters this set opened are disposed with it; the default one is
/// not (its owner disposes it).
/// </summary>
public sealed class SnapshotterSet : IAsyncDisposable
{
    private readonly ISnapshotter _default;
    private readonly Unpacker _defaultUnpacker;
    private readonly IReadOnlyDictionary<string, Func<ISnapshotter>> _factories;
    private readonly Func<string, ISnapshotter, Unpacker> _unpackerFactory;
    private readonly Func<ISnapshotter, ISnapshotter> _unwrap;
    private readonly ConcurrentDictionary<string, Lazy<(ISnapshotter Snapshotter, Unpacker Unpacker)>> _opened = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ISnapshotter> _unwrapped = new(StringComparer.Ordinal);

    /// <summary>A set of one snapshotter: containers can name only <paramref name="defaultName"/>.</summary>
    /// <param name="defaultName">The default snapshotter's name.</param>
    /// <param name="defaultSnapshotter">The default snapshotter.</param>
    /// <param name="defaultUnpacker">Unpacks images into <paramref name="defaultSnapshotter"/>.</param>
    public SnapshotterSet(string defaultName, ISnapshotter defaultSnapshotter, Unpacker defaultUnpacker)
        : this(defaultName, defaultSnapshotter, defaultUnpacker, new Dictionary<string, Func<ISnapshotter>>(), (_, _) => throw new InvalidOperationException("no other snapshotter"))
    {
    }

    /// <summary>A set of the default snapshotter and others opened when a container first names them.</summary>
    /// <param name="defaultName">The default snapshotter's name.</param>
    /// <param name="defaultSnapshotter">The default snapshotter.</param>
    /// <param name="defaultUnpacker">Unpacks images into <paramref name="defaultSnapshotter"/>.</param>
    /// <param name="factories">Opens each other snapshotter by name (an entry for the default name is ignored).</param>
    /// <param name="unpackerFactory">Makes the unpacker of an opened snapshotter (name, snapshotter).</param>
    /// <param name="unwrap">
    /// Gives the snapshotter a garbage collector should use for one of the set (for example the inner one of a
    /// publishing wrapper, so that collections publish nothing); <see langword="null"/> uses each as it is.
    /// </param>
    /// <param name="existing">
    /// Names whose snapshotter is opened at once, because it holds snapshots from earlier processes that
    /// <see cref="ForCollector"/> must show a collector; <see langword="null"/> for none.
    /// </param>
    public SnapshotterSet(string defaultName, ISnapshotter defaultSnapshotter, Unpacker defaultUnpacker, IReadOnlyDictionary<string, Func<ISnapshotter>> factories,
        Func<string, ISnapshotter, Unpacker> unpackerFactory, Func<ISnapshotter, ISnapshotter>? unwrap = null, IEnumerable<string>? existing = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(defaultName);
        DefaultName = defaultName;
        _default = defaultSnapshotter ?? throw new ArgumentNullException(nameof(defaultSnapshotter));
        _defaultUnpacker = defaultUnpacker ?? throw new ArgumentNullException(nameof(defaultUnpacker));
        _factories = factories ?? throw new ArgumentNullException(nameof(factories));
        _unpackerFactory = unpackerFactory ?? throw new ArgumentNullException(nameof(unpackerFactory));
        _unwrap = unwrap ?? (s => s);
        _unwrapped[defaultName] = _unwrap(defaultSnapshotter);
        foreach (string name in existing ?? [])
        {
            if (name != defaultName && _factories.ContainsKey(name))
            {
                _ = Open(name);
            }
        }
    }

    /// <summary>The default snapshotter's name.</summary>
    public string DefaultName { get; }

    /// <summary>The default snapshotter.</summary>
    public ISnapshotter Default => _default;

    /// <summary>Every name a container can give: the default and those the factories open.</summary>
    public IReadOnlyCollection<string> Names => [DefaultName, .. _factories.Keys.Where(n => n != DefaultName).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The snapshotters opened so far (the default and each one a container named, or that held snapshots at
    /// start), as a collector should use them; the dictionary grows as more are opened.
    /// </summary>
    public IReadOnlyDictionary<string, ISnapshotter> ForCollector => _unwrapped;

    /// <summary>Whether a container can name <paramref name="name"/>.</summary>
    public bool Contains(string name) => name == DefaultName || _factories.ContainsKey(name);

    /// <summary>The snapshotter named <paramref name="name"/> (opened on first use).</summary>
    /// <exception cref="InvalidSpecException">The set has no snapshotter of that name (the field is <c>snapshotter</c>).</exception>
    public ISnapshotter Get(string name) => name == DefaultName ? _default : Open(name).Snapshotter;

    /// <summary>The unpacker into the snapshotter named <paramref name="name"/>.</summary>
    /// <exception cref="InvalidSpecException">The set has no snapshotter of that name.</exception>
    public Unpacker UnpackerFor(string name) => name == DefaultName ? _defaultUnpacker : Open(name).Unpacker;

    /// <summary>Disposes the snapshotters this set opened (not the default one).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Lazy<(ISnapshotter Snapshotter, Unpacker Unpacker)> opened in _opened.Values)
        {
            if (opened.IsValueCreated)
            {
                await opened.Value.Snapshotter.DisposeAsync().ConfigureAwait(false);
            }
        }

        _opened.Clear();
    }

    private (ISnapshotter Snapshotter, Unpacker Unpacker) Open(string name)
    {
        if (!_factories.TryGetValue(name, out Func<ISnapshotter>? factory))
        {
            throw new InvalidSpecException("snapshotter", $"no snapshotter \"{name}\" (there are: {string.Join(", ", Names)})");
        }

        // Lazy: two first uses at once open the snapshotter (and its database) once.
        Lazy<(ISnapshotter Snapshotter, Unpacker Unpacker)> lazy = _opened.GetOrAdd(name, n => new Lazy<(ISnapshotter, Unpacker)>(() =>
        {
            ISnapshotter made = factory();
            return (made, _unpackerFactory(n, made));
        }));
        try
        {
            (ISnapshotter snapshotter, Unpacker unpacker) = lazy.Value;
            _unwrapped[name] = _unwrap(snapshotter);
            return (snapshotter, unpacker);
        }
        catch
        {
            // A failed open is not remembered: the next use tries again.
            _ = _opened.TryRemove(new KeyValuePair<string, Lazy<(ISnapshotter, Unpacker)>>(name, lazy));
            throw;
        }
    }
}
