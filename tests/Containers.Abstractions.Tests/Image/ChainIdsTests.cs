using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>The image-spec chain id rule, against values computed with sha256sum(1).</summary>
public sealed class ChainIdsTests
{
    // sha256 of "a", "b", "c"; then printf '%s %s' A B | sha256sum, and that with C.
    private const string A = "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb";
    private const string B = "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d";
    private const string C = "sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6";
    private const string AB = "sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676";
    private const string ABC = "sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106";

    [Test]
    public void TheBaseLayersChainIdIsItsDiffIdAndEachNextHashesParentSpaceDiffId()
    {
        IReadOnlyList<Digest> chain = ChainIds.Compute([Digest.Parse(A), Digest.Parse(B), Digest.Parse(C)]);
        Assert.That(chain.Select(d => d.ToString()), Is.EqualTo(new[] { A, AB, ABC }));
        Assert.That(ChainIds.Next(Digest.Parse(AB), Digest.Parse(C)).ToString(), Is.EqualTo(ABC));
        Assert.That(ChainIds.Compute([]), Is.Empty);
    }

    [Test]
    public void EmptyDigestsAreRefused()
    {
        Assert.That(() => ChainIds.Next(null, default), Throws.ArgumentException.With.Property("ParamName").EqualTo("diffId"));
        Assert.That(() => ChainIds.Next(default(Digest), Digest.Parse(A)), Throws.ArgumentException.With.Property("ParamName").EqualTo("parent"));
    }
}
