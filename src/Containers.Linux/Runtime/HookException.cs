namespace Containers.Linux.Runtime;

/// <summary>An OCI hook could not be started, exited non-zero, or ran past its timeout.</summary>
public sealed class HookException : ContainersException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="hookField">The hook's field in config.json, for example <c>hooks.prestart[0]</c>.</param>
    /// <param name="problem">What went wrong.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public HookException(string hookField, string problem, Exception? innerException = null)
        : base($"{hookField}: {problem}", innerException)
    {
        HookField = hookField;
    }

    /// <summary>The hook's field in config.json.</summary>
    public string HookField { get; }
}
