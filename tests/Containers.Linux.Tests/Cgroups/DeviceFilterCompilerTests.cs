using System.Buffers.Binary;
using Containers.Linux.Cgroups;

namespace Containers.Linux.Tests.Cgroups;

public sealed class DeviceFilterCompilerTests
{
    [Test]
    public void EmptyListDeniesEverything()
    {
        ulong[] program = Instructions(DeviceFilterCompiler.Compile([]));
        Assert.Multiple(() =>
        {
            Assert.That(program, Has.Length.EqualTo(8), "6 loads of the context, then r0 = 0; exit");
            Assert.That(program[6], Is.EqualTo(0xb4UL), "mov32 r0, 0");
            Assert.That(program[7], Is.EqualTo(0x95UL), "exit");
        });
    }

    [Test]
    public void RulesAreTestedLastFirstAndJumpsLandAfterTheirBlock()
    {
        CgroupDeviceRule[] rules =
        [
            new(true, 'a', null, null, "rwm"),
            new(true, 'c', 1, 3, "rw"),
            new(false, 'b', 8, null, "w"),
        ];
        ulong[] program = Instructions(DeviceFilterCompiler.Compile(rules));

        // Prologue (6) + deny b 8:* w (type, mov, and, jeq, major, mov r0, exit = 7)
        // + allow c 1:3 rw (type, mov, and, jne, major, minor, mov r0, exit = 8) + default (2).
        Assert.That(program, Has.Length.EqualTo(6 + 7 + 8 + 2));
        int end = program.Length - 1;
        for (int i = 6; i < end; i++)
        {
            byte code = (byte)program[i];
            if (code is 0x56 or 0x16)
            {
                int target = i + 1 + (short)(program[i] >> 16);
                int blockEnd = i < 13 ? 13 : 21;
                Assert.That(target, Is.EqualTo(blockEnd), $"jump at {i}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That((int)(program[6] >> 32), Is.EqualTo(1), "first block tests type block (the last rule)");
            Assert.That(program[11] >> 32, Is.EqualTo(0UL), "deny block returns 0");
            Assert.That((int)(program[13] >> 32), Is.EqualTo(2), "second block tests type char");
            Assert.That(program[19] >> 32, Is.EqualTo(1UL), "allow block returns 1");
            Assert.That(program[21] >> 32, Is.EqualTo(1UL), "default from the allow-all rule");
        });
    }

    private static ulong[] Instructions(byte[] bytes)
        => [.. Enumerable.Range(0, bytes.Length / 8).Select(i => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i * 8)))];
}
