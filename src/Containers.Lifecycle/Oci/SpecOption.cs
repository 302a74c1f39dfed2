using Containers.Oci.Runtime;

namespace Containers.Oci;

/// <summary>
/// Changes a spec being generated, as containerd's <c>oci.SpecOpts</c> do; options run in the order
/// given, so a later one overrides an earlier one.
/// </summary>
/// <param name="context">The container and its rootfs.</param>
/// <param name="spec">The spec to change.</param>
/// <param name="cancellationToken">Cancels the option's I/O.</param>
public delegate ValueTask SpecOption(SpecContext context, Spec spec, CancellationToken cancellationToken);
