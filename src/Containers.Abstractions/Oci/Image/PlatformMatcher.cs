using System.Globalization;

namespace Containers.Oci.Image;

/// <summary>
/// Decides which platforms an image may be run on and which of several is best, with the semantics of
/// containerd's <c>platforms.Only</c>, <c>platforms.OnlyStrict</c> and <c>platforms.Ordered</c>.
/// </summary>
/// <remarks>
/// A matcher holds an ordered list of acceptable platforms; a platform matches when its normalised
/// OS, architecture and variant equal one of them (and, for Windows, its OS version is compatible,
/// and its OS features are a subset). Earlier entries are preferred by <see cref="Less"/>.
/// </remarks>
public sealed class PlatformMatcher : IComparer<Platform?>
{
    // Windows Server 2022: from this build on, hosts run containers of any build since it (stable ABI).
    private const int WindowsLtsc2022Build = 20348;

    private readonly Platform[] _platforms;

    private PlatformMatcher(IEnumerable<Platform> platforms)
    {
        _platforms = [.. platforms.Select(Platforms.Normalize)];
    }

    /// <summary>Matches the host platform and what it can also run (see <see cref="Only(Platform)"/>).</summary>
    public static PlatformMatcher Default => Only(Platforms.Host);

    /// <summary>The accepted platforms, normalised, most preferred first.</summary>
    public IReadOnlyList<Platform> Accepted => [.. _platforms.Select(Platforms.Copy)];

    /// <summary>
    /// Matches <paramref name="platform"/> and the platforms it can also run, preferring the closest:
    /// <c>amd64/vN</c> also runs <c>amd64/v(N-1)…v1</c> and <c>386</c>; <c>arm/vN</c> also runs
    /// <c>arm/v(N-1)…v5</c>; <c>arm64/v8.x</c> also runs <c>arm64/v8.(x-1)…v8</c> and
    /// <c>arm/v8…v5</c>; <c>arm64/v9.x</c> also runs <c>arm64/v9.(x-1)…v9</c> and <c>arm64/v8.(x+5)…v8</c>.
    /// </summary>
    public static PlatformMatcher Only(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return new PlatformMatcher(Vector(Platforms.Normalize(platform)));
    }

    /// <summary>Matches <paramref name="platform"/> (a specifier such as <c>linux/arm64</c>) as <see cref="Only(Platform)"/> does.</summary>
    /// <exception cref="FormatException">The specifier is malformed.</exception>
    public static PlatformMatcher Only(string platform) => Only(Platforms.Parse(platform));

    /// <summary>Matches only <paramref name="platform"/> itself (in any spelling that normalises to it).</summary>
    public static PlatformMatcher OnlyStrict(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return new PlatformMatcher([platform]);
    }

    /// <summary>Matches any of <paramref name="platforms"/>, preferring them in the order given.</summary>
    public static PlatformMatcher Ordered(params IEnumerable<Platform> platforms)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        return new PlatformMatcher(platforms);
    }

    /// <summary>True when an image for <paramref name="platform"/> can be run.</summary>
    public bool Match(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        Platform normalized = Platforms.Normalize(platform);
        return _platforms.Any(accepted => Matches(accepted, normalized));
    }

    /// <summary>True when <paramref name="left"/> is preferred over <paramref name="right"/>.</summary>
    public bool Less(Platform left, Platform right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        Platform l = Platforms.Normalize(left);
        Platform r = Platforms.Normalize(right);
        foreach (Platform accepted in _platforms)
        {
            bool leftMatches = Matches(accepted, l);
            bool rightMatches = Matches(accepted, r);
            if (leftMatches || rightMatches)
            {
                return leftMatches && !rightMatches;
            }
        }

        return false;
    }

    /// <summary>Orders platforms most preferred first; a missing platform sorts last.</summary>
    public int Compare(Platform? x, Platform? y) => (x, y) switch
    {
        (null, null) => 0,
        (null, _) => 1,
        (_, null) => -1,
        _ when Less(x, y) => -1,
        _ when Less(y, x) => 1,
        _ => 0,
    };

    /// <summary>
    /// The descriptors of an index this matcher accepts, most preferred first (ties keep index order).
    /// Manifest or index descriptors without a platform are kept, last, as containerd keeps them: the
    /// caller must check the platform in the image config they lead to.
    /// </summary>
    public IReadOnlyList<Descriptor> Filter(IEnumerable<Descriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        return
        [
            .. descriptors
                .Where(d => d.Platform is null ? MediaTypes.IsManifest(d.MediaType) || MediaTypes.IsIndex(d.MediaType) : Match(d.Platform))
                .OrderBy(d => d.Platform, this),
        ];
    }

    /// <summary>The best descriptor of an index for this matcher, or null when none fits.</summary>
    public Descriptor? SelectBest(IEnumerable<Descriptor> descriptors) => Filter(descriptors) is [var best, ..] ? best : null;

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _platforms.Select(Platforms.FormatAll));

    private static bool Matches(Platform accepted, Platform candidate)
    {
        if (accepted.OS != candidate.OS
            || accepted.Architecture != candidate.Architecture
            || (accepted.Variant ?? string.Empty) != (candidate.Variant ?? string.Empty)
            || (accepted.OS == "windows" && !WindowsVersionCompatible(accepted.OSVersion, candidate.OSVersion)))
        {
            return false;
        }

        // Both lists are sorted and distinct after normalisation: the candidate's must be a subset.
        IList<string> wanted = candidate.OSFeatures ?? [];
        IList<string> offered = accepted.OSFeatures ?? [];
        return wanted.All(feature => offered.Contains(feature));
    }

    private static bool WindowsVersionCompatible(string? host, string? image)
    {
        (int Major, int Minor, int Build)? hostVersion = ParseWindowsVersion(host);
        if (hostVersion is null || string.IsNullOrEmpty(image))
        {
            return true;
        }

        (int Major, int Minor, int Build) h = hostVersion.Value;
        (int Major, int Minor, int Build) c = ParseWindowsVersion(image) ?? (0, 0, 0);
        if (h.Major != c.Major || h.Minor != c.Minor)
        {
            return false;
        }

        // Before Windows Server 2022 a container must match the host build exactly.
        return h.Build < WindowsLtsc2022Build ? h.Build == c.Build : c.Build >= WindowsLtsc2022Build && c.Build <= h.Build;
    }

    private static (int Major, int Minor, int Build)? ParseWindowsVersion(string? version)
    {
        string[] parts = (version ?? string.Empty).Split('.');
        return parts.Length >= 3
            && byte.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out byte major)
            && byte.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out byte minor)
            && ushort.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out ushort build)
            && (major, minor, build) != (0, 0, 0)
                ? (major, minor, build)
                : null;
    }

    private static List<Platform> Vector(Platform platform)
    {
        List<Platform> vector = [platform];
        string variant = platform.Variant ?? string.Empty;
        switch (platform.Architecture)
        {
            case "amd64":
                if (TryVersion(variant, out int amd64Version) && amd64Version > 1)
                {
                    for (int v = amd64Version - 1; v >= 1; v--)
                    {
                        vector.Add(With(platform, "amd64", "v" + Invariant(v)));
                    }
                }

                vector.Add(With(platform, "386", null));
                break;
            case "arm":
                if (TryVersion(variant, out int armVersion) && armVersion > 5)
                {
                    for (int v = armVersion - 1; v >= 5; v--)
                    {
                        vector.Add(With(platform, "arm", "v" + Invariant(v)));
                    }
                }

                break;
            case "arm64":
                AddArm64Fallbacks(platform, variant, vector);
                break;
        }

        return vector;
    }

    private static void AddArm64Fallbacks(Platform platform, string variant, List<Platform> vector)
    {
        if (variant.Length == 0)
        {
            variant = "v8";
        }

        string majorText = variant;
        string minorText = string.Empty;
        bool hasMinor = false;
        int dot = variant.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            (majorText, minorText, hasMinor) = (variant[..dot], variant[(dot + 1)..], true);
        }

        if (TryVersion(majorText, out int major) && major >= 8)
        {
            int minor = 0;

            // As containerd does, only a single-digit minor ("v8.2", four characters) is read.
            if (variant.Length == 4 && hasMinor && int.TryParse(minorText, NumberStyles.None, CultureInfo.InvariantCulture, out int parsedMinor))
            {
                minor = parsedMinor;
            }

            if (major == 9)
            {
                AddArm64Minors(platform, 9, minor, vector);

                // v9.0 branched from v8.5, so v9.x runs what v8.(x+5) runs.
                minor += 5;
                major = 8;
                vector.Add(With(platform, "arm64", "v8." + Invariant(minor)));
            }

            AddArm64Minors(platform, major, minor, vector);
        }

        if (variant.StartsWith("v8.", StringComparison.Ordinal) || variant.StartsWith("v9.", StringComparison.Ordinal))
        {
            variant = "v8";
        }

        vector.AddRange(Vector(With(platform, "arm", variant)));
    }

    private static void AddArm64Minors(Platform platform, int major, int minor, List<Platform> vector)
    {
        for (int m = minor - 1; m >= 0; m--)
        {
            string variant = m == 0 ? "v" + Invariant(major) : "v" + Invariant(major) + "." + Invariant(m);
            vector.Add(With(platform, "arm64", variant));
        }
    }

    private static bool TryVersion(string variant, out int version) =>
        int.TryParse(variant.StartsWith('v') ? variant[1..] : variant, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out version);

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static Platform With(Platform platform, string architecture, string? variant) => new()
    {
        OS = platform.OS,
        OSVersion = platform.OSVersion,
        OSFeatures = platform.OSFeatures,
        Architecture = architecture,
        Variant = variant,
    };
}
