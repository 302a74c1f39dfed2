namespace Containers.Linux.Runtime;

/// <summary>An existing namespace the process joins instead of getting a new one (config.json's <c>linux.namespaces[].path</c>).</summary>
/// <param name="Type">Exactly one namespace flag.</param>
/// <param name="Path">The namespace file, for example <c>/proc/1234/ns/net</c> or a bind-mounted one.</param>
/// <param name="JsonPath">The config field it came from, named in errors (<c>linux.namespaces[2].path</c>).</param>
public sealed record NamespaceJoin(ContainerNamespaces Type, string Path, string JsonPath);
