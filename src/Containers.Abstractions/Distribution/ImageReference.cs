using System.Diagnostics.CodeAnalysis;

namespace Containers.Distribution;

/// <summary>
/// A normalised image reference, <c>domain/path[:tag][@digest]</c>, parsed the way Docker and
/// containerd parse what a user types: <c>busybox</c> is <c>docker.io/library/busybox</c>,
/// <c>index.docker.io/x/y</c> is <c>docker.io/x/y</c>, and <c>localhost</c> or any first component with a
/// dot, a colon or an upper-case letter is a registry domain.
/// </summary>
/// <remarks>
/// Parsing follows distribution/reference's <c>ParseNormalizedNamed</c>, with one deliberate difference:
/// a digest must pass <see cref="Containers.Digest.TryParse(string?, out Containers.Digest)"/> (sha256 or
/// sha512 with the exact hex length), where the Go package accepts any registered algorithm.
/// </remarks>
public sealed class ImageReference : IEquatable<ImageReference>
{
    /// <summary>The registry domain a reference without one is given.</summary>
    public const string DefaultDomain = "docker.io";

    /// <summary>The historical name of Docker Hub, rewritten to <see cref="DefaultDomain"/>.</summary>
    public const string LegacyDefaultDomain = "index.docker.io";

    /// <summary>The Docker Hub namespace of official images, added to one-component names.</summary>
    public const string OfficialRepositoryPrefix = "library/";

    /// <summary>The tag <see cref="WithDefaultTag"/> adds.</summary>
    public const string DefaultTag = "latest";

    /// <summary>The longest repository path accepted.</summary>
    public const int MaxPathLength = 255;

    // A guard against feeding megabytes to the regular expressions; no registry accepts a reference
    // anywhere near this long (paths stop at 255, tags at 128, digests at 135, DNS names at 253).
    private const int MaxInputLength = 1024;

    private readonly string _text;

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
        _text = BuildString(Name, tag, digest);
    }

    /// <summary>The registry domain with an optional port, for example <c>docker.io</c> or <c>localhost:5000</c>.</summary>
    public string Domain { get; }

    /// <summary>The repository path inside the registry, for example <c>library/busybox</c>.</summary>
    public string Path { get; }

    /// <summary>The repository name: <see cref="Domain"/> and <see cref="Path"/> joined by a slash.</summary>
    public string Name => Domain.Length == 0 ? Path : Domain + "/" + Path;

    /// <summary>The tag, or <see langword="null"/> when the reference has none.</summary>
    public string? Tag { get; }

    /// <summary>The digest, or <see langword="null"/> when the reference has none.</summary>
    public Digest? Digest { get; }

    /// <summary>Whether the reference has neither a tag nor a digest.</summary>
    public bool IsNameOnly => Tag is null && Digest is null;

    /// <summary>
    /// The name as Docker shows it: without <c>docker.io/</c>, and without <c>library/</c> for an
    /// official image (<c>busybox</c>, <c>myorg/app</c>, <c>localhost:5000/app</c>).
    /// </summary>
    public string FamiliarName
    {
        get
        {
            if (!string.Equals(Domain, DefaultDomain, StringComparison.Ordinal))
            {
                return Name;
            }

            if (Path.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal)
                && !Path.AsSpan(OfficialRepositoryPrefix.Length).Contains('/'))
            {
                return Path[OfficialRepositoryPrefix.Length..];
            }

            return Path;
        }
    }

    /// <summary>The whole reference with <see cref="FamiliarName"/>, for example <c>busybox:latest</c>.</summary>
    public string FamiliarString => BuildString(FamiliarName, Tag, Digest);

    /// <summary>Parses and normalises a reference.</summary>
    /// <param name="reference">Text such as <c>busybox</c>, <c>ghcr.io/org/app:1.2</c> or <c>app@sha256:…</c>.</param>
    /// <returns>The normalised reference; a name without a tag stays without one (see <see cref="WithDefaultTag"/>).</returns>
    /// <exception cref="InvalidReferenceException">The text is not a valid reference.</exception>
    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return TryParseCore(reference, out var result, out var reason, out var detail)
            ? result
            : throw new InvalidReferenceException(reference, reason, detail);
    }

    /// <summary>Parses and normalises a reference without throwing.</summary>
    /// <param name="reference">The text to parse.</param>
    /// <param name="result">The reference, when the text is valid.</param>
    /// <returns>Whether the text is a valid reference.</returns>
    public static bool TryParse([NotNullWhen(true)] string? reference, [NotNullWhen(true)] out ImageReference? result)
    {
        if (reference is null)
        {
            result = null;
            return false;
        }

        return TryParseCore(reference, out result, out _, out _);
    }

    /// <summary>
    /// Parses a reference the way Docker resolves one to pull: a name alone gets the tag
    /// <c>latest</c>, and a reference with both a tag and a digest keeps only the digest.
    /// </summary>
    /// <param name="reference">The text to parse.</param>
    /// <returns>A reference with exactly one of a tag or a digest.</returns>
    /// <exception cref="InvalidReferenceException">The text is not a valid reference.</exception>
    public static ImageReference ParseDockerReference(string reference)
    {
        var parsed = Parse(reference);
        if (parsed.Tag is not null && parsed.Digest is not null)
        {
            return new ImageReference(parsed.Domain, parsed.Path, null, parsed.Digest);
        }

        return parsed.WithDefaultTag();
    }

    /// <summary>Returns this reference with the tag <c>latest</c> if it has neither a tag nor a digest, else this reference.</summary>
    public ImageReference WithDefaultTag() => IsNameOnly ? new ImageReference(Domain, Path, DefaultTag, null) : this;

    /// <summary>Returns this reference with another tag; a digest is kept.</summary>
    /// <param name="tag">The tag, matching <c>[\w][\w.-]{0,127}</c>.</param>
    /// <exception cref="InvalidReferenceException">The tag is not valid.</exception>
    public ImageReference WithTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (!ReferenceGrammar.AnchoredTag().IsMatch(tag))
        {
            throw new InvalidReferenceException(tag, InvalidReferenceReason.InvalidTag, "tag must match [\\w][\\w.-]{0,127}");
        }

        return new ImageReference(Domain, Path, tag, Digest);
    }

    /// <summary>Returns this reference with a digest; a tag is kept.</summary>
    /// <param name="digest">The digest; must not be empty.</param>
    /// <exception cref="InvalidReferenceException"><paramref name="digest"/> is the empty default value.</exception>
    public ImageReference WithDigest(Digest digest)
    {
        if (digest.IsEmpty)
        {
            throw new InvalidReferenceException(string.Empty, InvalidReferenceReason.InvalidDigest, "the digest is empty");
        }

        return new ImageReference(Domain, Path, Tag, digest);
    }

    /// <summary>Returns the repository alone, without tag or digest.</summary>
    public ImageReference WithoutTagOrDigest() => IsNameOnly ? this : new ImageReference(Domain, Path, null, null);

    /// <summary>The normalised reference, for example <c>docker.io/library/busybox:latest</c>.</summary>
    public override string ToString() => _text;

    /// <inheritdoc/>
    public bool Equals(ImageReference? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>Compares two references by their normalised text.</summary>
    public static bool operator ==(ImageReference? left, ImageReference? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two references by their normalised text.</summary>
    public static bool operator !=(ImageReference? left, ImageReference? right) => !(left == right);

    private static string BuildString(string name, string? tag, Digest? digest)
    {
        var text = tag is null ? name : name + ":" + tag;
        return digest is { } d ? text + "@" + d.ToString() : text;
    }

    private static bool TryParseCore(
        string input,
        [NotNullWhen(true)] out ImageReference? result,
        out InvalidReferenceReason reason,
        out string detail)
    {
        result = null;
        if (input.Length == 0)
        {
            (reason, detail) = (InvalidReferenceReason.Empty, "repository name must have at least one component");
            return false;
        }

        if (input.Length > MaxInputLength)
        {
            (reason, detail) = (InvalidReferenceReason.InvalidFormat, $"longer than {MaxInputLength} characters");
            return false;
        }

        if (ReferenceGrammar.AnchoredIdentifier().IsMatch(input))
        {
            (reason, detail) = (InvalidReferenceReason.HexadecimalName, "a repository name cannot be 64 hexadecimal characters");
            return false;
        }

        var (domain, remainder) = SplitDockerDomain(input);

        // Only the path before the tag must be lower-case: tags may have capitals.
        var colon = remainder.IndexOf(':', StringComparison.Ordinal);
        var remote = colon >= 0 ? remainder[..colon] : remainder;
        if (HasUpper(remote))
        {
            (reason, detail) = (InvalidReferenceReason.ContainsUppercase, "repository name must be lowercase");
            return false;
        }

        var full = domain + "/" + remainder;
        var match = ReferenceGrammar.Reference().Match(full);
        if (!match.Success)
        {
            (reason, detail) = ReferenceGrammar.Reference().IsMatch(full.ToLowerInvariant())
                ? (InvalidReferenceReason.ContainsUppercase, "repository name must be lowercase")
                : (InvalidReferenceReason.InvalidFormat, "expected [domain/]path[:tag][@digest]");
            return false;
        }

        var nameMatch = ReferenceGrammar.AnchoredName().Match(match.Groups[1].Value);
        var parsedDomain = nameMatch.Groups[1].Value;
        var parsedPath = nameMatch.Groups[2].Value;
        if (parsedPath.Length > MaxPathLength)
        {
            (reason, detail) = (InvalidReferenceReason.NameTooLong, $"repository name must not be more than {MaxPathLength} characters");
            return false;
        }

        Digest? digest = null;
        if (match.Groups[3].Success)
        {
            if (!Containers.Digest.TryParse(match.Groups[3].Value, out var parsedDigest, out var digestError))
            {
                (reason, detail) = (InvalidReferenceReason.InvalidDigest, digestError);
                return false;
            }

            digest = parsedDigest;
        }

        var tag = match.Groups[2].Success ? match.Groups[2].Value : null;
        result = new ImageReference(parsedDomain, parsedPath, tag, digest);
        (reason, detail) = (default, string.Empty);
        return true;
    }

    // Decides whether the first component is a registry domain, as Docker does: "localhost", anything
    // with a dot or a colon, or anything with a capital (paths are lower-case, so it cannot be a path).
    private static (string Domain, string Remainder) SplitDockerDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (DefaultDomain, OfficialRepositoryPrefix + name);
        }

        var first = name[..slash];
        var rest = name[(slash + 1)..];
        string domain;
        string remainder;
        if (string.Equals(first, "localhost", StringComparison.Ordinal))
        {
            (domain, remainder) = (first, rest);
        }
        else if (string.Equals(first, LegacyDefaultDomain, StringComparison.Ordinal))
        {
            (domain, remainder) = (DefaultDomain, rest);
        }
        else if (first.AsSpan().IndexOfAny('.', ':') >= 0 || HasUpper(first))
        {
            (domain, remainder) = (first, rest);
        }
        else
        {
            (domain, remainder) = (DefaultDomain, name);
        }

        if (string.Equals(domain, DefaultDomain, StringComparison.Ordinal) && !remainder.Contains('/', StringComparison.Ordinal))
        {
            remainder = OfficialRepositoryPrefix + remainder;
        }

        return (domain, remainder);
    }

    // Go's strings.ToLower(s) != s is true for any upper-case letter, not only ASCII ones.
    private static bool HasUpper(string value)
    {
        foreach (var c in value)
        {
            if (char.IsUpper(c))
            {
                return true;
            }
        }

        return false;
    }
}
