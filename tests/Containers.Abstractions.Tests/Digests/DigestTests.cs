using System.Text;

namespace Containers.Abstractions.Tests.Digests;

public sealed class DigestTests
{
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string EmptySha512 = "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    private const string AbcSha256 = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string AbcSha512 = "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    [TestCase(EmptySha256, DigestAlgorithm.Sha256)]
    [TestCase(AbcSha256, DigestAlgorithm.Sha256)]
    [TestCase(EmptySha512, DigestAlgorithm.Sha512)]
    [TestCase(AbcSha512, DigestAlgorithm.Sha512)]
    public void Valid_digest_parses(string text, DigestAlgorithm algorithm)
    {
        Digest digest = Digest.Parse(text);

        Assert.That(digest.Algorithm, Is.EqualTo(algorithm));
        Assert.That(digest.ToString(), Is.EqualTo(text));
        Assert.That(digest.AlgorithmName + ":" + digest.Encoded, Is.EqualTo(text));
        Assert.That(digest.IsEmpty, Is.False);
        Assert.That(Digest.TryParse(text, out Digest again), Is.True);
        Assert.That(again, Is.EqualTo(digest));
    }

    [TestCase("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", TestName = "upper-case hex")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852B855", TestName = "one upper-case hex digit")]
    [TestCase("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "upper-case algorithm")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85", TestName = "63 hex characters")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", TestName = "65 hex characters")]
    [TestCase("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "sha512 with a sha256 length")]
    [TestCase("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "non-hex character")]
    [TestCase("md5:d41d8cd98f00b204e9800998ecf8427e", TestName = "md5")]
    [TestCase("sha384:38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b", TestName = "sha384")]
    [TestCase("blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", TestName = "blake3")]
    [TestCase("sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709", TestName = "sha1")]
    [TestCase("", TestName = "empty")]
    [TestCase(":", TestName = "colon only")]
    [TestCase("sha256:", TestName = "no hex")]
    [TestCase(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "no algorithm")]
    [TestCase("sha256", TestName = "no colon, algorithm only")]
    [TestCase("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "no colon, hex only")]
    [TestCase("sha256:../../etc/passwd", TestName = "path traversal")]
    [TestCase("sha256:../../../../../../../../../../../../../../../../../../../etc/passwd", TestName = "path traversal of the right length")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b/52b855", TestName = "slash in hex")]
    [TestCase(" sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "leading space")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ", TestName = "trailing space")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n", TestName = "trailing newline")]
    [TestCase("sha256 :e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "space before colon")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:", TestName = "second colon")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\0", TestName = "NUL character")]
    [TestCase("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\u0665", TestName = "non-ASCII digit")]
    [TestCase("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", TestName = "sha256 with another encoding")]
    public void Invalid_digest_is_refused(string text)
    {
        InvalidDigestException error = Assert.Throws<InvalidDigestException>(() => Digest.Parse(text))!;

        Assert.That(error.Message, Is.Not.Empty);
        Assert.That(Digest.TryParse(text, out Digest digest), Is.False);
        Assert.That(digest.IsEmpty, Is.True);
        Assert.That(Digest.TryParse(text, out _, out string? reason), Is.False);
        Assert.That(reason, Is.Not.Empty);
    }

    [Test]
    public void Null_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => Digest.Parse(null!));
        Assert.That(Digest.TryParse(null, out _), Is.False);
    }

    [TestCase("", DigestAlgorithm.Sha256, EmptySha256)]
    [TestCase("abc", DigestAlgorithm.Sha256, AbcSha256)]
    [TestCase("", DigestAlgorithm.Sha512, EmptySha512)]
    [TestCase("abc", DigestAlgorithm.Sha512, AbcSha512)]
    [TestCase("{}", DigestAlgorithm.Sha256, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")]
    public async Task Compute_matches_known_vectors(string content, DigestAlgorithm algorithm, string expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(content);
        using MemoryStream stream = new(bytes);

        Assert.That(Digest.Compute(bytes, algorithm).ToString(), Is.EqualTo(expected));
        Assert.That((await Digest.ComputeAsync(stream, algorithm)).ToString(), Is.EqualTo(expected));
        Assert.That(Digest.Parse(expected).Matches(bytes), Is.True);
        Assert.That(Digest.Parse(expected).Matches([.. bytes, 0]), Is.False);
    }

    [Test]
    public void Compute_defaults_to_sha256() =>
        Assert.That(Digest.Compute([]).ToString(), Is.EqualTo(EmptySha256));

    [Test]
    public void Incremental_hasher_agrees_with_compute()
    {
        byte[] content = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
        using System.Security.Cryptography.IncrementalHash hasher = Digest.CreateHasher(DigestAlgorithm.Sha512);
        hasher.AppendData(content.AsSpan(0, 10));
        hasher.AppendData(content.AsSpan(10));

        Assert.That(Digest.FromHash(DigestAlgorithm.Sha512, hasher.GetHashAndReset()), Is.EqualTo(Digest.Compute(content, DigestAlgorithm.Sha512)));
    }

    [Test]
    public void FromHash_refuses_the_wrong_length() =>
        Assert.Throws<ArgumentException>(() => Digest.FromHash(DigestAlgorithm.Sha256, new byte[31]));

    [Test]
    public void Default_digest_is_empty_and_matches_nothing()
    {
        Digest none = default;

        Assert.That(none.IsEmpty, Is.True);
        Assert.That(none.ToString(), Is.Empty);
        Assert.That(none.Matches([]), Is.False);
        Assert.That(none, Is.Not.EqualTo(Digest.Parse(EmptySha256)));
    }

    [Test]
    public void Digests_compare_by_text()
    {
        Digest a = Digest.Parse(AbcSha256);
        Digest e = Digest.Parse(EmptySha256);

        Assert.That(a < e, Is.True);
        Assert.That(a == Digest.Parse(AbcSha256), Is.True);
        Assert.That(a != e, Is.True);
        Assert.That(a.GetHashCode(), Is.EqualTo(Digest.Parse(AbcSha256).GetHashCode()));
    }
}
