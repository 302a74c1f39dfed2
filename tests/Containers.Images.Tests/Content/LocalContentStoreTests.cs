using Containers.Content;

namespace Containers.Images.Tests.Content;

/// <summary>The content test suite against <see cref="LocalContentStore"/>.</summary>
[TestFixture]
public sealed class LocalContentStoreTests : ContentStoreTestSuite
{
    protected override IContentStore CreateStore(string root) => new LocalContentStore(root);
}
