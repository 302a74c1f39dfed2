using Containers.Oci.Image;

namespace Containers.Oci;

public static partial class SpecOptions
{
    /// <summary>
    /// Gives each volume the image declares (<c>Config.Volumes</c>) an empty private tmpfs, as an
    /// anonymous volume, unless a mount already covers that destination. Destinations are sanitised
    /// first: each must be absolute and clean (no <c>.</c> or <c>..</c> component, no NUL), and
    /// <c>/</c> is refused, so an image cannot mount over the root or outside it.
    /// containerd's <c>WithImageConfig</c> ignores volumes; this is the opt-in Docker-like behaviour.
    /// </summary>
    /// <param name="config">The image config.</param>
    public static SpecOption WithImageVolumes(ImageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return (_, spec, _) =>
        {
            var destinations = new List<string>();
            foreach (string volume in (IEnumerable<string>?)config.Config?.Volumes ?? [])
            {
                string path = volume.Length > 1 ? volume.TrimEnd('/') : volume;
                string[] parts = path.Split('/');
                if (path.Length < 2 || path[0] != '/' || path.Contains('\0', StringComparison.Ordinal)
                    || parts.Skip(1).Any(p => p.Length == 0 || p == "." || p == ".."))
                {
                    throw new InvalidSpecException($"config.Volumes[\"{volume.Replace("\0", "\\0", StringComparison.Ordinal)}\"]", "a volume must be an absolute, clean path other than /");
                }

                destinations.Add(path);
            }

            spec.Mounts ??= [];
            foreach (string destination in destinations.Order(StringComparer.Ordinal))
            {
                if (!spec.Mounts.Any(m => m.Destination.TrimEnd('/') == destination))
                {
                    spec.Mounts.Add(new Runtime.Mount { Destination = destination, Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "nodev", "mode=755"] });
                }
            }

            return ValueTask.CompletedTask;
        };
    }
}
