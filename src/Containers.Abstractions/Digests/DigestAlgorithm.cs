namespace Containers;

/// <summary>The content-addressing algorithms this stack accepts (the OCI image-spec's registered set).</summary>
public enum DigestAlgorithm
{
    /// <summary>SHA-256, 64 lower-case hex characters. The default everywhere.</summary>
    Sha256 = 0,

    /// <summary>SHA-512, 128 lower-case hex characters.</summary>
    Sha512 = 1,
}
