namespace Containers.Samples.Ctrs;

/// <summary>ctrs's global options: persistent root, volatile state directory, namespace and the runcs binary started as shim.</summary>
/// <param name="Root">Content, snapshots, metadata database and the event journal.</param>
/// <param name="State">Shims, bundles, FIFOs and detached tasks' logs.</param>
/// <param name="Namespace">The namespace every command works in.</param>
/// <param name="Runcs">runcs (path, or a name looked up in PATH).</param>
internal sealed record CtrsSettings(string Root, string State, string Namespace, string Runcs);
