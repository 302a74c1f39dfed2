namespace Containers.Linux.Seccomp;

/// <summary>One entry of <c>linux.seccomp.syscalls</c> in the compiler's terms.</summary>
/// <param name="Names">The syscalls the rule applies to; names a given architecture does not know are skipped there.</param>
/// <param name="Action">What happens when the rule matches.</param>
/// <param name="Data">The errno for <see cref="SeccompActionType.Errno"/>, the message for <see cref="SeccompActionType.Trace"/>.</param>
/// <param name="Conditions">Argument conditions, all of which must hold (none: the rule matches every call).</param>
/// <param name="JsonPath">Where the rule came from, for example <c>linux.seccomp.syscalls[3]</c>, for error messages.</param>
public sealed record SeccompRule(
    IReadOnlyList<string> Names,
    SeccompActionType Action,
    uint Data,
    IReadOnlyList<SeccompCondition> Conditions,
    string JsonPath);
