using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

namespace Containers;

/// <summary>
/// A strictly parsed content digest such as <c>sha256:6c3c…</c>.
/// </summary>
/// <remarks>
/// Only <c>sha256</c> and <c>sha512</c> are accepted, with exactly 64 or 128 lower-case hex
/// characters. Anything else is rejected by <see cref="Parse(string)"/> with an
/// <see cref="InvalidDigestException"/>, so that a value of this type is always safe to use as a
/// file name or a URL path segment. <c>default(Digest)</c> is the empty digest
/// (<see cref="IsEmpty"/>) and is never the digest of any content.
/// </remarks>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly struct Digest : IEquatable<Digest>, IComparable<Digest>, ISpanFormattable
{
    private const int Sha256HexLength = 64;
    private const int Sha512HexLength = 128;

    private readonly string? _value;

    private Digest(string value, DigestAlgorithm algorithm)
    {
        _value = value;
        Algorithm = algorithm;
    }

    /// <summary>The algorithm, for example <see cref="DigestAlgorithm.Sha256"/>.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>True for <c>default(Digest)</c>, which names no content.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>The algorithm's name as it appears in the digest: <c>sha256</c> or <c>sha512</c>.</summary>
    public string AlgorithmName => AlgorithmToName(Algorithm);

    /// <summary>The hex part after the colon.</summary>
    public string Encoded => _value is null ? string.Empty : _value[(AlgorithmName.Length + 1)..];

    /// <summary>Parses a digest strictly.</summary>
    /// <exception cref="InvalidDigestException">The text is not an accepted digest.</exception>
    public static Digest Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string? error = Validate(value, out DigestAlgorithm algorithm);
        if (error is not null)
        {
            throw new InvalidDigestException(value, error);
        }

        return new Digest(value, algorithm);
    }

    /// <summary>Parses a digest strictly, returning false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest)
    {
        if (value is not null && Validate(value, out DigestAlgorithm algorithm) is null)
        {
            digest = new Digest(value, algorithm);
            return true;
        }

        digest = default;
        return false;
    }

    /// <summary>Parses a digest strictly; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest, [NotNullWhen(false)] out string? error)
    {
        DigestAlgorithm algorithm = default;
        error = value is null ? "null" : Validate(value, out algorithm);
        if (error is null)
        {
            digest = new Digest(value!, algorithm);
            return true;
        }

        digest = default;
        return false;
    }

    /// <summary>Computes the digest of a buffer.</summary>
    public static Digest Compute(ReadOnlySpan<byte> content, DigestAlgorithm algorithm = DigestAlgorithm.Sha256)
    {
        Span<byte> hash = stackalloc byte[64];
        int written = algorithm switch
        {
            DigestAlgorithm.Sha256 => SHA256.HashData(content, hash),
            DigestAlgorithm.Sha512 => SHA512.HashData(content, hash),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return FromHash(algorithm, hash[..written]);
    }

    /// <summary>Computes the digest of a stream, reading it to the end.</summary>
    public static async Task<Digest> ComputeAsync(Stream content, DigestAlgorithm algorithm = DigestAlgorithm.Sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        byte[] hash = algorithm switch
        {
            DigestAlgorithm.Sha256 => await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false),
            DigestAlgorithm.Sha512 => await SHA512.HashDataAsync(content, cancellationToken).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return FromHash(algorithm, hash);
    }

    /// <summary>Builds a digest from a raw hash value of the algorithm's length.</summary>
    public static Digest FromHash(DigestAlgorithm algorithm, ReadOnlySpan<byte> hash)
    {
        int expected = algorithm switch
        {
            DigestAlgorithm.Sha256 => 32,
            DigestAlgorithm.Sha512 => 64,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        if (hash.Length != expected)
        {
            throw new ArgumentException($"a {AlgorithmToName(algorithm)} hash is {expected} bytes, not {hash.Length}", nameof(hash));
        }

        return new Digest(AlgorithmToName(algorithm) + ":" + Convert.ToHexStringLower(hash), algorithm);
    }

    /// <summary>The name of an algorithm as used in digests: <c>sha256</c>, <c>sha512</c>.</summary>
    public static string AlgorithmToName(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Sha256 => "sha256",
        DigestAlgorithm.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Creates an incremental hasher for this digest's algorithm.</summary>
    public static IncrementalHash CreateHasher(DigestAlgorithm algorithm = DigestAlgorithm.Sha256) => algorithm switch
    {
        DigestAlgorithm.Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        DigestAlgorithm.Sha512 => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Checks that a buffer hashes to this digest.</summary>
    public bool Matches(ReadOnlySpan<byte> content) => !IsEmpty && Compute(content, Algorithm).Equals(this);

    /// <inheritdoc />
    public override string ToString() => _value ?? string.Empty;

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        string text = ToString();
        if (text.AsSpan().TryCopyTo(destination))
        {
            charsWritten = text.Length;
            return true;
        }

        charsWritten = 0;
        return false;
    }

    /// <inheritdoc />
    public bool Equals(Digest other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Digest other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <inheritdoc />
    public int CompareTo(Digest other) => string.CompareOrdinal(_value, other._value);

    /// <summary>Compares two digests for equality.</summary>
    public static bool operator ==(Digest left, Digest right) => left.Equals(right);

    /// <summary>Compares two digests for inequality.</summary>
    public static bool operator !=(Digest left, Digest right) => !left.Equals(right);

    /// <summary>Orders digests by their text.</summary>
    public static bool operator <(Digest left, Digest right) => left.CompareTo(right) < 0;

    /// <summary>Orders digests by their text.</summary>
    public static bool operator >(Digest left, Digest right) => left.CompareTo(right) > 0;

    /// <summary>Orders digests by their text.</summary>
    public static bool operator <=(Digest left, Digest right) => left.CompareTo(right) <= 0;

    /// <summary>Orders digests by their text.</summary>
    public static bool operator >=(Digest left, Digest right) => left.CompareTo(right) >= 0;

    private static string? Validate(string value, out DigestAlgorithm algorithm)
    {
        algorithm = default;
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return "missing \"algorithm:\" prefix";
        }

        ReadOnlySpan<char> name = value.AsSpan(0, colon);
        ReadOnlySpan<char> hex = value.AsSpan(colon + 1);
        int length;
        if (name.SequenceEqual("sha256"))
        {
            algorithm = DigestAlgorithm.Sha256;
            length = Sha256HexLength;
        }
        else if (name.SequenceEqual("sha512"))
        {
            algorithm = DigestAlgorithm.Sha512;
            length = Sha512HexLength;
        }
        else
        {
            return "unsupported algorithm (accepted: sha256, sha512)";
        }

        if (hex.Length != length)
        {
            return $"{AlgorithmToName(algorithm)} needs {length} hex characters, got {hex.Length}";
        }

        foreach (char c in hex)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return "the encoded part must be lower-case hex";
            }
        }

        return null;
    }
}
