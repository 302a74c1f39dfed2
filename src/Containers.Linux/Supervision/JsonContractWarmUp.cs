using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Containers.Linux.Supervision;

/// <summary>
/// Builds a source-generated context's contracts ahead of their first use. In a NativeAOT process the first use of a
/// type's contract is not cheap: every converter it makes asks reflection for its type's assembly, and the property
/// metadata is built then. Measured in a fresh shim, that first use was about 2.5 ms of its first create-and-delete.
/// A shim started ahead of its task (warm or spare) pays it here instead, while it waits.
/// </summary>
internal static class JsonContractWarmUp
{
    /// <summary>
    /// Configures the contract of each root type of <paramref name="context"/> and of every type reachable from them
    /// (properties, elements, dictionary keys), each once.
    /// </summary>
    /// <param name="context">The context whose options resolve the contracts (and cache them for later calls).</param>
    /// <param name="roots">The types to start from.</param>
    /// <returns>The types whose contracts were configured.</returns>
    public static IReadOnlySet<Type> Configure(JsonSerializerContext context, params ReadOnlySpan<Type> roots)
    {
        HashSet<Type> seen = [];
        HashSet<Type> configured = [];
        Stack<Type> pending = new();
        foreach (Type root in roots)
        {
            pending.Push(root);
        }

        while (pending.TryPop(out Type? type))
        {
            if (!seen.Add(type))
            {
                continue;
            }

            JsonTypeInfo info;
            try
            {
                // A configured contract: its converter, properties and their converters exist after this.
                info = context.Options.GetTypeInfo(type);
            }
            catch (NotSupportedException)
            {
                // A type the context has no contract for (a property read by a custom converter): nothing to prepare.
                continue;
            }

            _ = configured.Add(type);
            foreach (JsonPropertyInfo property in info.Properties)
            {
                pending.Push(property.PropertyType);
            }

            if (info.ElementType is { } element)
            {
                pending.Push(element);
            }

            if (info.KeyType is { } key)
            {
                pending.Push(key);
            }
        }

        return configured;
    }
}
