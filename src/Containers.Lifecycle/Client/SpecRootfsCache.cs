using System.Collections.Concurrent;
using Containers.Oci;

namespace Containers.Client;

/// <summary>
/// The user and group files (<c>/etc/passwd</c>, <c>/etc/group</c>) of each image top snapshot a create has
/// read, so later creates on it generate the spec without mounting the rootfs (a mount and an unmount per
/// create: ~1.5 ms quiet, 8–16 ms under load, mostly the unmount's RCU grace period). Exact: a container's
/// rootfs is a fresh active snapshot on a committed one, committed snapshots never change, and the chain id
/// names the content. Used only when every spec option is one of <see cref="SpecOptions"/>' own (they read the
/// rootfs only through these two files); a caller's own option gets the mounted rootfs as before. Files over
/// <see cref="MaxCachedFileLength"/>, or that fail to read, are not cached (later creates mount, and fail the same way).
/// </summary>
internal sealed class SpecRootfsCache
{
    /// <summary>Largest file kept (larger ones are read from a mount each time).</summary>
    public const int MaxCachedFileLength = 64 * 1024;

    private const int ChainLimit = 64;
    private static readonly string[] Files = ["/etc/passwd", "/etc/group"];
    private readonly ConcurrentDictionary<string, Dictionary<string, string?>> _byChain = new(StringComparer.Ordinal);

    /// <summary>Whether every option is one of this library's (a lambda of <see cref="SpecOptions"/>' assembly).</summary>
    public static bool AllOwn(IEnumerable<SpecOption> options)
        => options.All(o => o.Target is { } target && target.GetType().Assembly == typeof(SpecOptions).Assembly);

    /// <summary>A reader over the files kept for <paramref name="chainId"/>, or null when none are.</summary>
    public Func<string, CancellationToken, ValueTask<string?>>? ReaderFor(string chainId)
        => _byChain.TryGetValue(chainId, out Dictionary<string, string?>? files)
            ? (path, _) => files.TryGetValue(path, out string? text)
                ? ValueTask.FromResult(text)
                : throw new InvalidOperationException($"{path} is not one of the cached rootfs files")
            : null;

    /// <summary>Reads and keeps the files of the rootfs mounted at <paramref name="rootfs"/> (a fresh snapshot on <paramref name="chainId"/>).</summary>
    public async ValueTask RememberAsync(string chainId, string rootfs, CancellationToken cancellationToken)
    {
        Dictionary<string, string?> files = new(StringComparer.Ordinal);
        foreach (string path in Files)
        {
            string? text;
            try
            {
                text = await RootfsFiles.ReadTextAsync(rootfs, path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SizeLimitExceededException)
            {
                return;
            }

            if (text is { Length: > MaxCachedFileLength })
            {
                return;
            }

            files[path] = text;
        }

        if (_byChain.Count >= ChainLimit)
        {
            _byChain.Clear();
        }

        _byChain[chainId] = files;
    }
}
