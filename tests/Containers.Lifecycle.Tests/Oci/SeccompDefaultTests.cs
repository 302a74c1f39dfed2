using System.Runtime.InteropServices;
using Containers.Oci;
using Containers.Oci.Runtime;

namespace Containers.Lifecycle.Tests.Oci;

/// <summary>Facts of containerd's/Docker's default profile (contrib/seccomp/seccomp_default.go) for x86-64 and the default capabilities.</summary>
public sealed class SeccompDefaultTests
{
    [Test]
    public async Task DefaultProfileHasDockerDefaultRules()
    {
        if (RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Assert.Ignore("the default profile is rendered for x86-64 only");
        }

        Spec spec = await SpecGenerator.GenerateAsync(new SpecContext("default", "s1"), [SpecOptions.WithProcessArgs("sh"), SpecOptions.WithSeccompDefault()]);
        LinuxSeccomp seccomp = spec.Linux!.Seccomp!;
        var allowed = seccomp.Syscalls!.Where(s => s.Action == "SCMP_ACT_ALLOW" && s.Args is null or { Count: 0 }).SelectMany(s => s.Names).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(seccomp.DefaultAction, Is.EqualTo("SCMP_ACT_ERRNO"));
            Assert.That(seccomp.Architectures, Is.EqualTo(new[] { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" }));
            foreach (string name in new[] { "read", "write", "execve", "openat", "ptrace" })
            {
                Assert.That(allowed, Does.Contain(name), name);
            }

            // Only with the capabilities a default container does not have.
            foreach (string name in new[] { "mount", "umount2", "unshare", "setns", "bpf", "keyctl", "add_key", "kexec_load", "init_module", "reboot", "swapon", "pivot_root", "open_by_handle_at" })
            {
                Assert.That(seccomp.Syscalls!.SelectMany(s => s.Names), Does.Not.Contain(name), name);
            }

            LinuxSyscall clone = seccomp.Syscalls!.Single(s => s.Names.SequenceEqual(["clone"]));
            Assert.That(clone.Args!.Single().Op, Is.EqualTo("SCMP_CMP_MASKED_EQ"));
            Assert.That(clone.Args!.Single().Value, Is.EqualTo(0x7E020000UL), "no CLONE_NEW* flags");
            Assert.That(seccomp.Syscalls!.Where(s => s.Names.SequenceEqual(["personality"])).Select(s => s.Args!.Single().Value),
                Is.EquivalentTo(new ulong[] { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff }));
            LinuxSyscall clone3 = seccomp.Syscalls!.Single(s => s.Names.SequenceEqual(["clone3"]));
            Assert.That((clone3.Action, clone3.ErrnoRet), Is.EqualTo(("SCMP_ACT_ERRNO", (uint?)38)), "ENOSYS so libc falls back to clone");
        });
    }
}
