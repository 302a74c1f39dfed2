namespace Containers.Linux.Seccomp;

/// <summary>One argument comparison of a rule; every condition of a rule must hold.</summary>
/// <param name="Index">The argument, 0 to 5.</param>
/// <param name="Value">The datum; for <see cref="SeccompComparison.MaskedEqual"/> the mask.</param>
/// <param name="ValueTwo">For <see cref="SeccompComparison.MaskedEqual"/> the datum the masked argument must equal; unused otherwise.</param>
/// <param name="Op">The comparison.</param>
public sealed record SeccompCondition(int Index, ulong Value, ulong ValueTwo, SeccompComparison Op);
