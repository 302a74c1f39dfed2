using System.Text.RegularExpressions;

namespace Containers.Registry;

/// <summary>A repository on a registry: <c>Host</c> (<c>host[:port]</c>) and <c>Name</c> (<c>library/busybox</c>).</summary>
public sealed partial record RegistryRepository
{
    /// <summary>Creates the repository, checking the name against the distribution grammar.</summary>
    /// <exception cref="InvalidSpecException">The host or name is not valid.</exception>
    public RegistryRepository(string host, string name)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(name);
        if (host.Length == 0 || host.Contains('/', StringComparison.Ordinal) || host.Contains('@', StringComparison.Ordinal))
        {
            throw new InvalidSpecException("host", $"\"{host}\" is not a registry host");
        }

        if (name.Length > 255 || !NamePattern().IsMatch(name))
        {
            throw new InvalidSpecException("name", $"\"{name}\" is not a repository name (lower-case path components separated by '/')");
        }

        Host = host;
        Name = name;
    }

    /// <summary>The registry host, for example <c>127.0.0.1:5000</c> or <c>registry-1.docker.io</c>.</summary>
    public string Host { get; }

    /// <summary>The repository path, for example <c>library/busybox</c>.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override string ToString() => Host + "/" + Name;

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
