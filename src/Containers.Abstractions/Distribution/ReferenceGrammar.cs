using System.Text.RegularExpressions;

namespace Containers.Distribution;

/// <summary>
/// The reference grammar of distribution/reference as .NET regular expressions. Character classes are
/// spelled out (<c>[0-9A-Za-z_]</c> rather than <c>\w</c>) because .NET's <c>\w</c> is Unicode-aware and
/// Go's is ASCII; anchors use <c>\z</c> because .NET's <c>$</c> also matches before a final newline.
/// </summary>
internal static partial class ReferenceGrammar
{
    private const string Alphanumeric = "[a-z0-9]+";

    // One period, one or two underscores, or any run of dashes.
    private const string Separator = "(?:[._]|__|-+)";

    private const string PathComponent = Alphanumeric + "(?:" + Separator + Alphanumeric + ")*";

    private const string RemoteName = PathComponent + "(?:/" + PathComponent + ")*";

    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";

    private const string DomainName = DomainComponent + @"(?:\." + DomainComponent + ")*";

    // Bracketed IPv6 without zone identifiers.
    private const string Ipv6Address = @"\[[a-fA-F0-9:]+\]";

    private const string DomainAndPort = "(?:" + DomainName + "|" + Ipv6Address + ")(?::[0-9]+)?";

    private const string Name = "(?:" + DomainAndPort + "/)?" + RemoteName;

    private const string Tag = "[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}";

    // Deliberately looser than Digest.TryParse: the grammar only finds where the digest is, and the
    // strict parser then decides whether it is acceptable.
    private const string DigestShape = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    /// <summary>Groups: 1 name, 2 tag, 3 digest.</summary>
    [GeneratedRegex("^(" + Name + ")(?::(" + Tag + "))?(?:@(" + DigestShape + "))?\\z", RegexOptions.CultureInvariant)]
    internal static partial Regex Reference();

    /// <summary>Groups: 1 domain (may be empty), 2 path.</summary>
    [GeneratedRegex("^(?:(" + DomainAndPort + ")/)?(" + RemoteName + ")\\z", RegexOptions.CultureInvariant)]
    internal static partial Regex AnchoredName();

    [GeneratedRegex("^" + Tag + "\\z", RegexOptions.CultureInvariant)]
    internal static partial Regex AnchoredTag();

    [GeneratedRegex("^[a-f0-9]{64}\\z", RegexOptions.CultureInvariant)]
    internal static partial Regex AnchoredIdentifier();
}
