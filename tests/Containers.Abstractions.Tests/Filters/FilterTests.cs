using Containers.Filters;

namespace Containers.Abstractions.Tests.Filters;

[TestFixture]
public sealed class FilterTests
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["env"] = "prod",
        ["io.example/owner"] = "team a",
    };

    // An object with name "web-1", labels above, and no "parent".
    private static (string Value, bool Present) Adaptor(IReadOnlyList<string> path) => path switch
    {
        ["name"] => ("web-1", true),
        ["kind"] => ("active", true),
        ["labels", var key] => Labels.TryGetValue(key, out var v) ? (v, true) : (string.Empty, false),
        _ => (string.Empty, false),
    };

    [TestCase("name==web-1", true)]
    [TestCase("name==web-2", false)]
    [TestCase("name!=web-2", true)]
    [TestCase("name!=web-1", false)]
    [TestCase("parent!=x", true)]
    [TestCase("parent==\"\"", false)]
    [TestCase("name~=^web-[0-9]$", true)]
    [TestCase("name~=^db", false)]
    [TestCase("name~=/^WEB/", false)]
    [TestCase("name~=|web|", true)]
    [TestCase("labels.env==prod", true)]
    [TestCase("labels.\"io.example/owner\"==\"team a\"", true)]
    [TestCase("labels.'io.example/owner'=='team a'", true)]
    [TestCase("labels.\"io.example/owner\"", true)]
    [TestCase("labels.missing", false)]
    [TestCase("parent", false)]
    [TestCase("name==web-1,labels.env==prod", true)]
    [TestCase("name==web-1,labels.env==dev", false)]
    [TestCase(" name == web-1 , kind == active ", true)]
    [TestCase("", true)]
    public void ParsesAndMatches(string text, bool expected)
    {
        Assert.That(Filter.Parse(text).Matches(Adaptor), Is.EqualTo(expected));
    }

    [Test]
    public void SeveralFiltersAreAlternatives()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Filter.ParseAll(["name==db", "labels.env==prod"]).Matches(Adaptor), Is.True);
            Assert.That(Filter.ParseAll(["name==db", "labels.env==dev"]).Matches(Adaptor), Is.False);
            Assert.That(Filter.ParseAll([]).MatchesEverything, Is.True);
            Assert.That(Filter.ParseAll(null).MatchesEverything, Is.True);
        });
    }

    [Test]
    public void ExposesSelectorsWithUnquotedValues()
    {
        var filter = Filter.Parse("labels.\"a.b\"==\"x,y\\\"z\",name~=/a\\/b\\d/");
        var selectors = filter.Alternatives.Single();
        Assert.Multiple(() =>
        {
            Assert.That(selectors[0].FieldPath, Is.EqualTo(new[] { "labels", "a.b" }));
            Assert.That(selectors[0].Operator, Is.EqualTo(FilterOperator.Equal));
            Assert.That(selectors[0].Value, Is.EqualTo("x,y\"z"));
            Assert.That(selectors[1].Operator, Is.EqualTo(FilterOperator.Matches));
            Assert.That(selectors[1].Value, Is.EqualTo("a/b\\d"));
        });
    }

    [Test]
    public void BarePathValuesAreNotMistakenForDelimitedRegexes()
    {
        var selector = Filter.Parse("topic~=/tasks/.*").Alternatives.Single().Single();
        Assert.That(selector.Value, Is.EqualTo("/tasks/.*"));
    }

    [Test]
    public void ToStringParsesBackToTheSameSelectors()
    {
        var original = Filter.Parse("labels.\"a.b\"==\"x y\",name!=z,kind,name~=^a");
        var reparsed = Filter.Parse(original.ToString());
        Assert.That(reparsed.ToString(), Is.EqualTo(original.ToString()));
    }

    [TestCase("name==", 6)]
    [TestCase("name=web", 4)]
    [TestCase("name web", 5)]
    [TestCase("==web", 0)]
    [TestCase("name==a,", 8)]
    [TestCase("name==a,,b", 8)]
    [TestCase("labels.==x", 7)]
    [TestCase("labels.\"unterminated==x", 7)]
    [TestCase("name==\"bad\\q\"", 10)]
    [TestCase("name~=(", 6)]
    [TestCase("name~=(a)\\1", 6)]
    [TestCase("name<>x", 4)]
    public void RejectsBadSyntaxWithPosition(string text, int position)
    {
        var ex = Assert.Throws<InvalidFilterException>(() => Filter.Parse(text));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Position, Is.EqualTo(position));
            Assert.That(ex.Filter, Is.EqualTo(text));
        });
    }
}
