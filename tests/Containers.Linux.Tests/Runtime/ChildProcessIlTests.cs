using System.Reflection;
using System.Reflection.Emit;
using Containers.Linux.Runtime;

namespace Containers.Linux.Tests.Runtime;

/// <summary>
/// The child path is allocation-free by construction; this reads the IL of every method of
/// <see cref="ChildProcess"/> and fails on anything that allocates, throws, boxes, loads a string
/// or a static, or calls out of the type (other than through a function pointer).
/// </summary>
public sealed class ChildProcessIlTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private static readonly HashSet<string> Forbidden =
    [
        "newobj", "newarr", "box", "ldstr", "throw", "rethrow", "ldsfld", "ldsflda", "stsfld", "castclass", "isinst",
        "unbox", "unbox.any", "ldftn", "ldvirtftn", "mkrefany", "ldelem", "ldelema", "stelem", "ldlen", "callvirt",
    ];

    public static IEnumerable<MethodInfo> ChildMethods() => typeof(ChildProcess)
        .GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
        .Where(m => m.Name != nameof(ChildProcess.Clone));

    [TestCaseSource(nameof(ChildMethods))]
    public void Method_HasNoAllocatingOrThrowingInstructions(MethodInfo method)
    {
        List<string> problems = [];
        byte[] il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (int offset = 0; offset < il.Length;)
        {
            short value = il[offset] == 0xFE ? (short)(0xFE00 | il[offset + 1]) : il[offset];
            OpCode op = OpCodesByValue[value];
            int operandAt = offset + op.Size;
            if (Forbidden.Contains(op.Name!) || op.Name!.StartsWith("ldelem", StringComparison.Ordinal) || op.Name.StartsWith("stelem", StringComparison.Ordinal))
            {
                problems.Add($"{op.Name} at IL_{offset:X4}");
            }

            if (op == OpCodes.Call)
            {
                MethodBase callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, operandAt))!;
                if (callee.DeclaringType != typeof(ChildProcess))
                {
                    problems.Add($"call to {callee.DeclaringType}.{callee.Name} at IL_{offset:X4}");
                }
            }

            offset = operandAt + OperandSize(op, il, operandAt);
        }

        Assert.That(problems, Is.Empty, method.Name);
    }

    [Test]
    public void ExecAndJoinPaths_AreAmongTheCheckedMethods()
    {
        // The exec child (join, second clone) and the shared tail must stay in ChildProcess, where the IL check sees them.
        Assert.That(ChildMethods().Select(m => m.Name), Is.SupersetOf(new[] { "RunExec", "JoinNamespaces", "FinishAndExec", "AwaitReleaseByte" }));
    }

    [Test]
    public void ChildProcess_HasNoStaticFieldsOrConstructor()
    {
        Assert.That(typeof(ChildProcess).GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public).Where(f => !f.IsLiteral), Is.Empty);
        Assert.That(typeof(ChildProcess).TypeInitializer, Is.Null);
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
