using Containers.Oci.Runtime;

namespace Containers.Oci;

/// <summary>Generates a container's spec: <see cref="DefaultSpec"/>, then each option in order, then validation.</summary>
public static class SpecGenerator
{
    /// <summary>Generates a spec, as containerd's <c>oci.GenerateSpec</c> does.</summary>
    /// <param name="context">The container and its rootfs.</param>
    /// <param name="options">The options, applied in order.</param>
    /// <param name="cancellationToken">Cancels the options' I/O.</param>
    /// <returns>The validated spec.</returns>
    /// <exception cref="InvalidSpecException">An option's input or the resulting spec is invalid; the path names the field.</exception>
    public static async ValueTask<Spec> GenerateAsync(SpecContext context, IEnumerable<SpecOption> options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Spec spec = DefaultSpec.Create(context);
        foreach (SpecOption option in options)
        {
            await option(context, spec, cancellationToken).ConfigureAwait(false);
        }

        SpecValidator.Validate(spec);
        return spec;
    }
}
