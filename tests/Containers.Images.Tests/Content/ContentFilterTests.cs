using Containers.Content;

namespace Containers.Images.Tests.Content;

[TestFixture]
public sealed class ContentFilterTests
{
    private static readonly Dictionary<string, string> Labels = new()
    {
        ["containerd.io/gc.root"] = "2026-01-01",
        ["k"] = "a,b",
        ["team"] = "red",
    };

    [TestCase(null, true)]
    [TestCase("", true)]
    [TestCase("labels.team", true)]
    [TestCase("labels.missing", false)]
    [TestCase("labels.team==red", true)]
    [TestCase("labels.team == red", true)]
    [TestCase("labels.team==blue", false)]
    [TestCase("labels.team!=blue", true)]
    [TestCase("labels.missing!=x", true)]
    [TestCase("labels.\"containerd.io/gc.root\"==2026-01-01", true)]
    [TestCase("labels.containerd.io/gc.root==2026-01-01", true)]
    [TestCase("labels.k==\"a,b\"", true)]
    [TestCase("labels.team==red,labels.k==\"a,b\"", true)]
    [TestCase("labels.team==red,labels.team==blue", false)]
    [TestCase("labels.team~=^r", true)]
    [TestCase("labels.team~=^b", false)]
    public void MatchesLabels(string? filter, bool expected) =>
        Assert.That(ContentFilter.Parse(filter).Matches(path => ContentFilter.LookupLabel(path, Labels)), Is.EqualTo(expected));

    [TestCase("labels.team==")]
    [TestCase("labels.")]
    [TestCase("==x")]
    [TestCase("labels.\"open==x")]
    [TestCase("labels.team==red,")]
    [TestCase("labels.team~=(")]
    [TestCase("labels.team==\"red\" junk")]
    public void RejectsMalformedFilters(string filter) =>
        Assert.Throws<ArgumentException>(() => ContentFilter.Parse(filter));
}
