using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Containers.Oci.Image;

/// <summary>
/// Normalising, parsing and formatting platforms, with the rules of containerd's <c>platforms</c>
/// package: <c>x86_64</c> is <c>amd64</c>, <c>aarch64</c> is <c>arm64</c> (whose default variant
/// <c>v8</c> is written as none), <c>armhf</c> is <c>arm/v7</c>, <c>armel</c> is <c>arm/v6</c>,
/// <c>i386</c> is <c>386</c>, <c>macos</c> is <c>darwin</c>.
/// </summary>
public static partial class Platforms
{
    private static readonly Lazy<Platform> HostPlatform = new(DetectHost);

    /// <summary>The platform of the current process, normalised (for example <c>linux/amd64</c>).</summary>
    /// <remarks>A fresh copy each time, so callers may change it.</remarks>
    public static Platform Host => Copy(HostPlatform.Value);

    /// <summary>Returns the canonical form of a platform; the argument is not changed.</summary>
    /// <remarks>
    /// OS is lower-cased (an empty OS becomes the host's), the architecture and variant are mapped
    /// as <see cref="NormalizeArchitecture"/> does, and OS features are sorted and de-duplicated.
    /// </remarks>
    public static Platform Normalize(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        (string architecture, string variant) = NormalizeArchitecture(platform.Architecture, platform.Variant);
        return new Platform
        {
            OS = NormalizeOS(platform.OS),
            Architecture = architecture,
            Variant = variant.Length == 0 ? null : variant,
            OSVersion = string.IsNullOrEmpty(platform.OSVersion) ? null : platform.OSVersion,
            OSFeatures = platform.OSFeatures is { Count: > 0 } features ? [.. features.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : null,
            Features = platform.Features is null ? null : [.. platform.Features],
        };
    }

    /// <summary>The canonical form of an OS name: lower case, <c>macos</c> as <c>darwin</c>, empty as the host's.</summary>
    public static string NormalizeOS(string? os)
    {
        if (string.IsNullOrEmpty(os))
        {
            return HostPlatform.Value.OS;
        }

        os = os.ToLowerInvariant();
        return os == "macos" ? "darwin" : os;
    }

    /// <summary>The canonical form of an architecture and its variant (an empty variant means none).</summary>
    public static (string Architecture, string Variant) NormalizeArchitecture(string? architecture, string? variant)
    {
        string arch = (architecture ?? string.Empty).ToLowerInvariant();
        string v = (variant ?? string.Empty).ToLowerInvariant();
        switch (arch)
        {
            case "i386":
                return ("386", string.Empty);
            case "x86_64" or "x86-64" or "amd64":
                return ("amd64", v == "v1" ? string.Empty : v);
            case "aarch64" or "arm64":
                return ("arm64", v switch
                {
                    "8" or "v8" or "v8.0" => string.Empty,
                    "9" or "9.0" or "v9.0" => "v9",
                    _ => v,
                });
            case "armhf":
                return ("arm", "v7");
            case "armel":
                return ("arm", "v6");
            case "arm":
                return ("arm", v switch
                {
                    "" or "7" => "v7",
                    "5" or "6" or "8" => "v" + v,
                    _ => v,
                });
            default:
                return (arch, v);
        }
    }

    /// <summary>True for an OS name Go knows (the value should be normalised).</summary>
    public static bool IsKnownOS(string os) => os is "aix" or "android" or "darwin" or "dragonfly" or "freebsd" or "hurd" or "illumos" or "ios" or "js" or "linux" or "nacl" or "netbsd" or "openbsd" or "plan9" or "solaris" or "windows" or "zos";

    /// <summary>True for an architecture name Go knows (the value should be normalised).</summary>
    public static bool IsKnownArchitecture(string architecture) => architecture is "386" or "amd64" or "amd64p32" or "arm" or "armbe" or "arm64" or "arm64be" or "ppc64" or "ppc64le" or "loong64" or "mips" or "mipsle" or "mips64" or "mips64le" or "mips64p32" or "mips64p32le" or "ppc" or "riscv" or "riscv64" or "s390" or "s390x" or "sparc" or "sparc64" or "wasm";

    /// <summary>
    /// Parses a platform specifier: <c>&lt;os&gt;</c>, <c>&lt;arch&gt;</c>, <c>&lt;os&gt;/&lt;arch&gt;</c> or
    /// <c>&lt;os&gt;/&lt;arch&gt;/&lt;variant&gt;</c>, where the OS may carry options such as
    /// <c>windows(10.0.17763+win32k)</c>. What is left out is taken from <see cref="Host"/>.
    /// </summary>
    /// <exception cref="FormatException">The specifier is malformed or names neither a known OS nor a known architecture.</exception>
    public static Platform Parse(string specifier)
    {
        ArgumentNullException.ThrowIfNull(specifier);
        return TryParse(specifier, out Platform? platform, out string? error) ? platform : throw new FormatException(error);
    }

    /// <summary>Parses a platform specifier as <see cref="Parse"/> does, returning false instead of throwing.</summary>
    public static bool TryParse(string? specifier, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Platform? platform) => TryParse(specifier, out platform, out _);

    /// <summary>Formats a platform as <c>os/arch[/variant]</c>; <c>unknown</c> when it has no OS.</summary>
    public static string Format(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return string.IsNullOrEmpty(platform.OS) ? "unknown" : Join(platform.OS, platform.Architecture, platform.Variant);
    }

    /// <summary>Formats a platform with its OS version and features, as <c>windows(10.0.17763+win32k)/amd64</c>.</summary>
    public static string FormatAll(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (string.IsNullOrEmpty(platform.OS))
        {
            return "unknown";
        }

        StringBuilder options = new(EncodeOSOption(platform.OSVersion ?? string.Empty));
        foreach (string feature in (platform.OSFeatures ?? []).Where(f => f.Length > 0).Order(StringComparer.Ordinal))
        {
            options.Append('+').Append(EncodeOSOption(feature));
        }

        string os = options.Length > 0 ? $"{platform.OS}({options})" : platform.OS;
        return Join(os, platform.Architecture, platform.Variant);
    }

    internal static Platform Copy(Platform platform) => new()
    {
        OS = platform.OS,
        Architecture = platform.Architecture,
        Variant = platform.Variant,
        OSVersion = platform.OSVersion,
        OSFeatures = platform.OSFeatures is null ? null : [.. platform.OSFeatures],
        Features = platform.Features is null ? null : [.. platform.Features],
    };

    private static bool TryParse(string? specifier, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Platform? platform, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        platform = null;
        if (specifier is null)
        {
            error = "null platform specifier";
            return false;
        }

        if (specifier.Contains('*', StringComparison.Ordinal))
        {
            error = $"\"{specifier}\": wildcards are not supported";
            return false;
        }

        string[] parts = specifier.Split('/', 4);
        Match osMatch = OSPattern().Match(parts[0]);
        if (!osMatch.Success)
        {
            error = $"\"{parts[0]}\" is not a valid OS component of \"{specifier}\"";
            return false;
        }

        string? bad = parts.Skip(1).FirstOrDefault(part => !ComponentPattern().IsMatch(part));
        if (bad is not null)
        {
            error = $"\"{bad}\" is not a valid component of \"{specifier}\"";
            return false;
        }

        if (!TryDecodeOSOption(osMatch.Groups["version"].Value, out string osVersion)
            || !TryDecodeFeatures(osMatch.Groups["features"].Value, out List<string>? osFeatures))
        {
            error = $"\"{specifier}\" has a malformed %-escape in its OS options";
            return false;
        }

        Platform host = HostPlatform.Value;
        string os = NormalizeOS(osMatch.Groups["os"].Value);
        string architecture;
        string variant;
        switch (parts.Length)
        {
            case 1 when IsKnownOS(os):
                // Only an OS: the architecture is the host's (with its arm variant unless it is the default v7).
                architecture = host.Architecture;
                variant = architecture == "arm" && host.Variant != "v7" ? host.Variant ?? string.Empty : string.Empty;
                break;
            case 1:
                (architecture, variant) = NormalizeArchitecture(parts[0], null);
                if (!IsKnownArchitecture(architecture))
                {
                    error = $"\"{specifier}\": unknown operating system or architecture";
                    return false;
                }

                os = host.OS;
                variant = architecture == "arm" && variant == "v7" ? string.Empty : variant;
                break;
            case 2:
                (architecture, variant) = NormalizeArchitecture(parts[1], null);
                variant = architecture == "arm" && variant == "v7" ? string.Empty : variant;
                break;
            case 3:
                (architecture, variant) = NormalizeArchitecture(parts[1], parts[2]);
                variant = architecture == "arm64" && variant.Length == 0 ? "v8" : variant;
                break;
            default:
                error = $"\"{specifier}\": too many components";
                return false;
        }

        platform = new Platform
        {
            OS = os,
            Architecture = architecture,
            Variant = variant.Length == 0 ? null : variant,
            OSVersion = osVersion.Length == 0 ? null : osVersion,
            OSFeatures = osFeatures,
        };
        error = null;
        return true;
    }

    private static bool TryDecodeFeatures(string raw, out List<string>? features)
    {
        features = null;
        if (raw.Length == 0)
        {
            return true;
        }

        features = [];
        foreach (string encoded in raw[1..].Split('+'))
        {
            if (!TryDecodeOSOption(encoded, out string feature))
            {
                return false;
            }

            features.Add(feature);
        }

        return true;
    }

    private static bool TryDecodeOSOption(string value, out string decoded)
    {
        decoded = value;
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        if (BadEscapePattern().IsMatch(value))
        {
            return false;
        }

        decoded = Uri.UnescapeDataString(value);
        return true;
    }

    private static string EncodeOSOption(string value) => value
        .Replace("%", "%25", StringComparison.Ordinal)
        .Replace("+", "%2B", StringComparison.Ordinal)
        .Replace("(", "%28", StringComparison.Ordinal)
        .Replace(")", "%29", StringComparison.Ordinal)
        .Replace("/", "%2F", StringComparison.Ordinal);

    private static string Join(params string?[] parts) => string.Join('/', parts.Where(part => !string.IsNullOrEmpty(part)));

    private static Platform DetectHost()
    {
        string os = OperatingSystem.IsWindows() ? "windows"
            : OperatingSystem.IsMacOS() ? "darwin"
            : OperatingSystem.IsFreeBSD() ? "freebsd"
            : "linux";
        (string architecture, string? variant) = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => ("amd64", null),
            Architecture.X86 => ("386", null),
            Architecture.Arm64 => ("arm64", null),
            Architecture.Arm => ("arm", "v7"),
            Architecture.Armv6 => ("arm", "v6"),
            Architecture.S390x => ("s390x", null),
            Architecture.Ppc64le => ("ppc64le", null),
            Architecture.LoongArch64 => ("loong64", null),
            Architecture.RiscV64 => ("riscv64", (string?)null),
            Architecture.Wasm => ("wasm", null),
            Architecture other => (other.ToString().ToLowerInvariant(), null),
        };
        return new Platform { OS = os, Architecture = architecture, Variant = variant };
    }

    [GeneratedRegex(@"^(?<os>[A-Za-z0-9_-]+)(?:\((?<version>[A-Za-z0-9_.%-]*)(?<features>(?:\+[A-Za-z0-9_.%-]+)*)\))?$", RegexOptions.CultureInvariant)]
    private static partial Regex OSPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex ComponentPattern();

    [GeneratedRegex("%(?![0-9A-Fa-f]{2})", RegexOptions.CultureInvariant)]
    private static partial Regex BadEscapePattern();
}
