using Containers.Distribution;

namespace Containers.Abstractions.Tests.Distribution;

// Cases ported from distribution/reference's normalize_test.go and reference_test.go, run through
// ParseNormalizedNamed semantics; expected strings were cross-checked against the Go package.
[TestFixture]
public sealed class ImageReferenceTests
{
    private const string Sha256Hex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
    private const string Ffff64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    // input, normalised string, familiar string, domain, path, tag, digest
    private static readonly object?[][] Valid =
    [
        ["docker/docker", "docker.io/docker/docker", "docker/docker", "docker.io", "docker/docker", null, null],
        ["library/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian", null, null],
        ["debian", "docker.io/library/debian", "debian", "docker.io", "library/debian", null, null],
        ["docker.io/docker/docker", "docker.io/docker/docker", "docker/docker", "docker.io", "docker/docker", null, null],
        ["docker.io/library/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian", null, null],
        ["docker.io/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian", null, null],
        ["index.docker.io/docker/docker", "docker.io/docker/docker", "docker/docker", "docker.io", "docker/docker", null, null],
        ["index.docker.io/library/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian", null, null],
        ["index.docker.io/debian", "docker.io/library/debian", "debian", "docker.io", "library/debian", null, null],
        ["127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000", "docker/docker", null, null],
        ["127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", "127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", null, null],
        ["127.0.0.1:5000/debian", "127.0.0.1:5000/debian", "127.0.0.1:5000/debian", "127.0.0.1:5000", "debian", null, null],
        ["192.168.0.1", "docker.io/library/192.168.0.1", "192.168.0.1", "docker.io", "library/192.168.0.1", null, null],
        ["192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", null],
        ["192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8/debian", "192.168.0.1:8", "debian", null, null],
        ["192.168.0.2:25000/debian", "192.168.0.2:25000/debian", "192.168.0.2:25000/debian", "192.168.0.2:25000", "debian", null, null],
        ["thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io", "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", null, null],
        ["[fc00::1]:5000/docker", "[fc00::1]:5000/docker", "[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", null, null],
        ["[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", "[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", null, null],
        ["[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", null, null],
        ["docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io", "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", null, null],
        ["Docker/docker", "Docker/docker", "Docker/docker", "Docker", "docker", null, null],
        ["DOCKER/docker", "DOCKER/docker", "DOCKER/docker", "DOCKER", "docker", null, null],
        ["docker-rules/docker", "docker.io/docker-rules/docker", "docker-rules/docker", "docker.io", "docker-rules/docker", null, null],
        ["docker---rules/docker", "docker.io/docker---rules/docker", "docker---rules/docker", "docker.io", "docker---rules/docker", null, null],
        ["doc/docker", "docker.io/doc/docker", "doc/docker", "docker.io", "doc/docker", null, null],
        ["d/docker", "docker.io/d/docker", "d/docker", "docker.io", "d/docker", null, null],
        ["jess/t", "docker.io/jess/t", "jess/t", "docker.io", "jess/t", null, null],
        ["dock__er/docker", "docker.io/dock__er/docker", "dock__er/docker", "docker.io", "dock__er/docker", null, null],
        ["fooo/bar", "docker.io/fooo/bar", "fooo/bar", "docker.io", "fooo/bar", null, null],
        ["index.docker.io/fooo/bar", "docker.io/fooo/bar", "fooo/bar", "docker.io", "fooo/bar", null, null],
        ["library/ubuntu", "docker.io/library/ubuntu", "ubuntu", "docker.io", "library/ubuntu", null, null],
        ["nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io", "nonlibrary/ubuntu", null, null],
        ["other/library", "docker.io/other/library", "other/library", "docker.io", "other/library", null, null],
        ["127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", null, null],
        ["example.com/privatebase", "example.com/privatebase", "example.com/privatebase", "example.com", "privatebase", null, null],
        ["example.com:8000/private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", null, null],
        ["ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", null, null],
        ["index.docker.io/library/ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", null, null],
        ["docker.io/foo", "docker.io/library/foo", "foo", "docker.io", "library/foo", null, null],
        ["library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", "docker.io", "library/foo/bar", null, null],
        ["docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", "docker.io", "library/foo/bar", null, null],
        ["store/foo/bar", "docker.io/store/foo/bar", "store/foo/bar", "docker.io", "store/foo/bar", null, null],
        ["Foo/bar", "Foo/bar", "Foo/bar", "Foo", "bar", null, null],
        ["FOO/bar", "FOO/bar", "FOO/bar", "FOO", "bar", null, null],
        ["busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", "docker.io/library/busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa", "docker.io", "library/busybox", "latest", "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa"],
        ["redis", "docker.io/library/redis", "redis", "docker.io", "library/redis", null, null],
        ["redis:latest", "docker.io/library/redis:latest", "redis:latest", "docker.io", "library/redis", "latest", null],
        ["redis@sha256:" + Sha256Hex, "docker.io/library/redis@sha256:" + Sha256Hex, "redis@sha256:" + Sha256Hex, "docker.io", "library/redis", null, "sha256:" + Sha256Hex],
        ["dmcgowan/myapp@sha256:" + Sha256Hex, "docker.io/dmcgowan/myapp@sha256:" + Sha256Hex, "dmcgowan/myapp@sha256:" + Sha256Hex, "docker.io", "dmcgowan/myapp", null, "sha256:" + Sha256Hex],
        ["dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest", "dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp", "latest", null],
        ["dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io", "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", null, null],
        ["dbcc1", "docker.io/library/dbcc1", "dbcc1", "docker.io", "library/dbcc1", null, null],
        ["test.com/foo", "test.com/foo", "test.com/foo", "test.com", "foo", null, null],
        ["test_com/foo", "docker.io/test_com/foo", "test_com/foo", "docker.io", "test_com/foo", null, null],
        ["test.com:8080/foo", "test.com:8080/foo", "test.com:8080/foo", "test.com:8080", "foo", null, null],
        ["test-com:8080/foo", "test-com:8080/foo", "test-com:8080/foo", "test-com:8080", "foo", null, null],
        ["xn--n3h.com/foo", "xn--n3h.com/foo", "xn--n3h.com/foo", "xn--n3h.com", "foo", null, null],
        ["xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", null, null],
        ["test_com", "docker.io/library/test_com", "test_com", "docker.io", "library/test_com", null, null],
        ["test.com:tag", "docker.io/library/test.com:tag", "test.com:tag", "docker.io", "library/test.com", "tag", null],
        ["test.com:5000", "docker.io/library/test.com:5000", "test.com:5000", "docker.io", "library/test.com", "5000", null],
        ["test.com/repo:tag", "test.com/repo:tag", "test.com/repo:tag", "test.com", "repo", "tag", null],
        ["test:5000/repo", "test:5000/repo", "test:5000/repo", "test:5000", "repo", null, null],
        ["test:5000/repo:tag", "test:5000/repo:tag", "test:5000/repo:tag", "test:5000", "repo", "tag", null],
        ["test:5000/repo@sha256:" + Ffff64, "test:5000/repo@sha256:" + Ffff64, "test:5000/repo@sha256:" + Ffff64, "test:5000", "repo", null, "sha256:" + Ffff64],
        ["test:5000/repo:tag@sha256:" + Ffff64, "test:5000/repo:tag@sha256:" + Ffff64, "test:5000/repo:tag@sha256:" + Ffff64, "test:5000", "repo", "tag", "sha256:" + Ffff64],
        ["lowercase:Uppercase", "docker.io/library/lowercase:Uppercase", "lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", null],
        ["sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", null, null],
        ["sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", null],
        ["b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", null],
        ["xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null],
        ["xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + Ffff64 + Ffff64, "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + Ffff64 + Ffff64, "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + Ffff64 + Ffff64, "xn--7o8h.com", "myimage", "xn--7o8h.com", "sha512:" + Ffff64 + Ffff64],
        ["foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", null],
        ["foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", null],
        ["192.168.1.1:tag", "docker.io/library/192.168.1.1:tag", "192.168.1.1:tag", "docker.io", "library/192.168.1.1", "tag", null],
        ["192.168.1.1/repo", "192.168.1.1/repo", "192.168.1.1/repo", "192.168.1.1", "repo", null, null],
        ["192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", null],
        ["[2001:db8::1]/repo", "[2001:db8::1]/repo", "[2001:db8::1]/repo", "[2001:db8::1]", "repo", null, null],
        ["[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null],
        ["[2001:db8::1]:5000/repo:tag@sha256:" + Ffff64, "[2001:db8::1]:5000/repo:tag@sha256:" + Ffff64, "[2001:db8::1]:5000/repo:tag@sha256:" + Ffff64, "[2001:db8::1]:5000", "repo", "tag", "sha256:" + Ffff64],
        ["[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo", "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", null, null],
        ["[::1]:5000/repo", "[::1]:5000/repo", "[::1]:5000/repo", "[::1]:5000", "repo", null, null],
        ["localhost/foo", "localhost/foo", "localhost/foo", "localhost", "foo", null, null],
        ["localhost:5000/foo:bar", "localhost:5000/foo:bar", "localhost:5000/foo:bar", "localhost:5000", "foo", "bar", null],
        ["localhost", "docker.io/library/localhost", "localhost", "docker.io", "library/localhost", null, null],
        ["busybox:_foo", "docker.io/library/busybox:_foo", "busybox:_foo", "docker.io", "library/busybox", "_foo", null],
        // A first component with a dot that is not a valid domain ends up in the path, domain empty, as in Go.
        ["foo_bar.com/x", "foo_bar.com/x", "foo_bar.com/x", "", "foo_bar.com/x", null, null],
        [string.Concat(Enumerable.Repeat("a/", 127)) + "a:tag-puts-this-over-max", "docker.io/" + string.Concat(Enumerable.Repeat("a/", 127)) + "a:tag-puts-this-over-max", string.Concat(Enumerable.Repeat("a/", 127)) + "a:tag-puts-this-over-max", "docker.io", string.Concat(Enumerable.Repeat("a/", 127)) + "a", "tag-puts-this-over-max", null],
    ];

    private static readonly object[][] Invalid =
    [
        ["", InvalidReferenceReason.Empty],
        ["https://github.com/docker/docker", InvalidReferenceReason.InvalidFormat],
        ["docker/Docker", InvalidReferenceReason.ContainsUppercase],
        ["-docker", InvalidReferenceReason.InvalidFormat],
        ["-docker/docker", InvalidReferenceReason.InvalidFormat],
        ["-docker.io/docker/docker", InvalidReferenceReason.InvalidFormat],
        ["docker///docker", InvalidReferenceReason.InvalidFormat],
        ["docker.io/docker/Docker", InvalidReferenceReason.ContainsUppercase],
        ["docker.io/docker///docker", InvalidReferenceReason.InvalidFormat],
        ["[fc00::1]", InvalidReferenceReason.InvalidFormat],
        ["[fc00::1]:5000", InvalidReferenceReason.InvalidFormat],
        ["fc00::1:5000/debian", InvalidReferenceReason.InvalidFormat],
        ["[fe80::1%eth0]:5000/debian", InvalidReferenceReason.InvalidFormat],
        ["[2001:db8:3:4::192.0.2.33]:5000/debian", InvalidReferenceReason.InvalidFormat],
        ["1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", InvalidReferenceReason.HexadecimalName],
        ["docker-/docker", InvalidReferenceReason.InvalidFormat],
        ["-docker-/docker", InvalidReferenceReason.InvalidFormat],
        ["____/____", InvalidReferenceReason.InvalidFormat],
        ["_docker/_docker", InvalidReferenceReason.InvalidFormat],
        ["dock..er/docker", InvalidReferenceReason.InvalidFormat],
        ["dock_.er/docker", InvalidReferenceReason.InvalidFormat],
        ["dock-.er/docker", InvalidReferenceReason.InvalidFormat],
        ["docker/", InvalidReferenceReason.InvalidFormat],
        ["this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker", InvalidReferenceReason.NameTooLong],
        [string.Concat(Enumerable.Repeat("a/", 128)) + "a:tag", InvalidReferenceReason.NameTooLong],
        [":justtag", InvalidReferenceReason.InvalidFormat],
        ["@sha256:" + Ffff64, InvalidReferenceReason.InvalidFormat],
        // distribution/reference accepts any registered algorithm; this stack's Digest is stricter.
        ["repo@sha256:ffffffffffffffffffffffffffffffffff", InvalidReferenceReason.InvalidDigest],
        ["validname@invaliddigest:" + Ffff64, InvalidReferenceReason.InvalidDigest],
        ["repo@sha256:" + Ffff64.ToUpperInvariant(), InvalidReferenceReason.InvalidDigest],
        ["Uppercase:tag", InvalidReferenceReason.ContainsUppercase],
        ["test:5000/Uppercase/lowercase:tag", InvalidReferenceReason.ContainsUppercase],
        ["aa/asdf$$^/aa", InvalidReferenceReason.InvalidFormat],
        ["[2001:db8::1]:5000", InvalidReferenceReason.InvalidFormat],
        ["[2001:db8::1]:tag", InvalidReferenceReason.InvalidFormat],
        ["[fe80::1%@invalidzone]:5000/repo", InvalidReferenceReason.InvalidFormat],
        ["busybox:-foo", InvalidReferenceReason.InvalidFormat],
        ["busybox:.foo", InvalidReferenceReason.InvalidFormat],
        ["busybox:" + new string('a', 129), InvalidReferenceReason.InvalidFormat],
        ["busybox\n", InvalidReferenceReason.InvalidFormat],
        ["busybox:latest\n", InvalidReferenceReason.InvalidFormat],
        ["busybox:lat\u00e9st", InvalidReferenceReason.InvalidFormat],
    ];

    [TestCaseSource(nameof(Valid))]
    public void ParsesAndNormalises(string input, string expected, string familiar, string domain, string path, string? tag, string? digest)
    {
        var reference = ImageReference.Parse(input);

        Assert.Multiple(() =>
        {
            Assert.That(reference.ToString(), Is.EqualTo(expected));
            Assert.That(reference.FamiliarString, Is.EqualTo(familiar));
            Assert.That(reference.Domain, Is.EqualTo(domain));
            Assert.That(reference.Path, Is.EqualTo(path));
            Assert.That(reference.Tag, Is.EqualTo(tag));
            Assert.That(reference.Digest?.ToString(), Is.EqualTo(digest));
            Assert.That(ImageReference.TryParse(input, out var again), Is.True);
            Assert.That(again, Is.EqualTo(reference));
        });
    }

    [TestCaseSource(nameof(Valid))]
    public void NormalisedAndFamiliarFormsParseBackToTheSameReference(string input, string expected, string familiar, string domain, string path, string? tag, string? digest)
    {
        _ = (input, domain, path, tag, digest);
        Assert.That(ImageReference.Parse(expected).ToString(), Is.EqualTo(expected));

        // A bare 64-hex familiar name reads as an image id, so it cannot round-trip (as in Go).
        if (familiar.Length == 64 && familiar.All(char.IsAsciiHexDigitLower))
        {
            var ex = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(familiar));
            Assert.That(ex!.Reason, Is.EqualTo(InvalidReferenceReason.HexadecimalName));
            return;
        }

        Assert.That(ImageReference.Parse(familiar).ToString(), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(Invalid))]
    public void RejectsInvalidReferences(string input, InvalidReferenceReason reason)
    {
        var ex = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(input));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Reason, Is.EqualTo(reason));
            Assert.That(ImageReference.TryParse(input, out var result), Is.False);
            Assert.That(result, Is.Null);
        });
    }

    [Test]
    public void FamiliarNameOfRepository()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ImageReference.Parse("docker.io/library/ubuntu:22.04").FamiliarName, Is.EqualTo("ubuntu"));
            Assert.That(ImageReference.Parse("docker.io/library/foo/bar").FamiliarName, Is.EqualTo("library/foo/bar"));
            Assert.That(ImageReference.Parse("ghcr.io/org/app:1").FamiliarName, Is.EqualTo("ghcr.io/org/app"));
            Assert.That(ImageReference.Parse("ghcr.io/org/app:1").Name, Is.EqualTo("ghcr.io/org/app"));
        });
    }

    [TestCase("busybox", "docker.io/library/busybox:latest")]
    [TestCase("busybox:latest", "docker.io/library/busybox:latest")]
    [TestCase("busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582", "docker.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582")]
    [TestCase("library/busybox", "docker.io/library/busybox:latest")]
    [TestCase("docker.io/busybox", "docker.io/library/busybox:latest")]
    [TestCase("docker.io/library/busybox", "docker.io/library/busybox:latest")]
    [TestCase("docker.io/busybox:latest", "docker.io/library/busybox:latest")]
    [TestCase("library/busybox:latest", "docker.io/library/busybox:latest")]
    [TestCase("gcr.io/library/busybox", "gcr.io/library/busybox:latest")]
    [TestCase("gcr.io/library/busybox:latest@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582", "gcr.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582")]
    public void ParseDockerReferenceAddsDefaultTagOrKeepsOnlyDigest(string input, string expected)
    {
        Assert.That(ImageReference.ParseDockerReference(input).ToString(), Is.EqualTo(expected));
    }

    [Test]
    public void WithDefaultTagOnlyTagsNameOnlyReferences()
    {
        var digested = ImageReference.Parse("busybox@sha256:" + Sha256Hex);
        Assert.Multiple(() =>
        {
            Assert.That(ImageReference.Parse("busybox").WithDefaultTag().Tag, Is.EqualTo("latest"));
            Assert.That(ImageReference.Parse("busybox:1.36").WithDefaultTag().Tag, Is.EqualTo("1.36"));
            Assert.That(digested.WithDefaultTag(), Is.SameAs(digested));
            Assert.That(ImageReference.Parse("busybox").IsNameOnly, Is.True);
        });
    }

    [Test]
    public void WithTagAndWithDigestCombine()
    {
        var name = ImageReference.Parse("test.com:8000/foo");
        var digest = Digest.Parse("sha256:" + Sha256Hex);
        Assert.Multiple(() =>
        {
            Assert.That(name.WithTag("TAG5").ToString(), Is.EqualTo("test.com:8000/foo:TAG5"));
            Assert.That(name.WithDigest(digest).WithTag("TAG5").ToString(), Is.EqualTo("test.com:8000/foo:TAG5@sha256:" + Sha256Hex));
            Assert.That(name.WithTag("t").WithDigest(digest).ToString(), Is.EqualTo("test.com:8000/foo:t@sha256:" + Sha256Hex));
            Assert.That(name.WithTag("t").WithDigest(digest).WithoutTagOrDigest().ToString(), Is.EqualTo("test.com:8000/foo"));
        });
    }

    [TestCase("-foo")]
    [TestCase("")]
    [TestCase("a:b")]
    public void WithTagRejectsInvalidTags(string tag)
    {
        var ex = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse("busybox").WithTag(tag));
        Assert.That(ex!.Reason, Is.EqualTo(InvalidReferenceReason.InvalidTag));
    }

    [Test]
    public void WithDigestRejectsTheEmptyDigest()
    {
        Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse("busybox").WithDigest(default));
    }

    [Test]
    public void EqualityIsByNormalisedText()
    {
        Assert.Multiple(() =>
        {
            Assert.That(ImageReference.Parse("busybox") == ImageReference.Parse("docker.io/library/busybox"), Is.True);
            Assert.That(ImageReference.Parse("busybox:1") != ImageReference.Parse("busybox:2"), Is.True);
            Assert.That(ImageReference.Parse("index.docker.io/x/y").GetHashCode(), Is.EqualTo(ImageReference.Parse("x/y").GetHashCode()));
        });
    }

    [Test]
    public void RefusesOverlongInputBeforeMatching()
    {
        var ex = Assert.Throws<InvalidReferenceException>(() => ImageReference.Parse(new string('a', 100_000)));
        Assert.That(ex!.Reference, Has.Length.LessThanOrEqualTo(301));
    }
}
