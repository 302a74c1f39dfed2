namespace Containers.Runc.Commands;

/// <summary>Argument helpers shared by the verbs.</summary>
internal static class Verbs
{
    /// <summary>The single container id argument.</summary>
    /// <exception cref="UsageException">Zero or several arguments.</exception>
    public static string SingleId(CommandLine line)
        => line.Arguments.Count == 1 ? line.Arguments[0] : throw new UsageException($"\"{line.Verb}\" requires exactly 1 argument");
}
