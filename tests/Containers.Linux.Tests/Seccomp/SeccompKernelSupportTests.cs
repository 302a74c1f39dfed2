using Containers.Linux.Seccomp;
using SeccompArchitecture = Containers.Linux.Seccomp.SeccompArchitecture;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

public sealed class SeccompKernelSupportTests
{
    [TestCase(SeccompFilterFlags.Tsync)]
    [TestCase(SeccompFilterFlags.Log)]
    [TestCase(SeccompFilterFlags.SpecAllow)]
    [TestCase(SeccompFilterFlags.NewListener)]
    [TestCase(SeccompFilterFlags.NewListener | SeccompFilterFlags.WaitKillableRecv)]
    [TestCase(SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener | SeccompFilterFlags.TsyncEsrch)]
    public void This_kernel_knows_the_flags_profiles_use(SeccompFilterFlags flags)
    {
        // Debian 12's kernel is 6.1; WAIT_KILLABLE_RECV arrived in 5.19, the others long before.
        Assert.That(SeccompKernelSupport.Accepts(flags), Is.True);
    }

    [Test]
    public void A_flag_the_kernel_does_not_know_is_refused_by_name_before_any_container_exists()
    {
        Assert.That(SeccompKernelSupport.Accepts((SeccompFilterFlags)(1u << 20)), Is.False);
        Assert.That(SeccompKernelSupport.Accepts(SeccompFilterFlags.WaitKillableRecv), Is.False, "the kernel refuses WAIT_KILLABLE_RECV without a listener");
        Assert.That(SeccompKernelSupport.Accepts(SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener), Is.False, "TSYNC with a listener needs TSYNC_ESRCH");

        SeccompProgram compiled = SeccompCompiler.Compile(Parse("""{ "defaultAction": "SCMP_ACT_ALLOW" }"""), SeccompArchitecture.X86_64);
        SeccompProgram unknown = new(compiled.AsSpan().ToArray(), SeccompFilterFlags.Log | (SeccompFilterFlags)(1u << 20), SeccompArchitecture.X86_64,
            compiled.Architectures, compiled.DefaultAction, 0, null, null);
        UnsupportedException ex = Assert.Throws<UnsupportedException>(() => SeccompKernelSupport.EnsureSupported(unknown))!;
        Assert.That(ex.Message, Does.Contain("linux.seccomp.flags: this kernel does not support the seccomp filter flag 0x100000"));
        Assert.DoesNotThrow(() => SeccompKernelSupport.EnsureSupported(compiled));
    }

    [Test]
    public void Tsync_with_notify_gets_tsync_esrch_as_libseccomp_adds_it()
    {
        SeccompProgram program = SeccompCompiler.Compile(Parse("""
            { "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC"], "listenerPath": "/run/agent.sock",
              "syscalls": [ { "names": ["getppid"], "action": "SCMP_ACT_NOTIFY" } ] }
            """), SeccompArchitecture.X86_64);

        Assert.That(program.Flags, Is.EqualTo(SeccompFilterFlags.Tsync | SeccompFilterFlags.NewListener | SeccompFilterFlags.TsyncEsrch));
        Assert.That(SeccompKernelSupport.Accepts(program.Flags), Is.True);
    }

    [Test]
    public void Wait_killable_recv_without_a_notify_rule_is_invalid()
    {
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SeccompCompiler.Compile(
            Parse("""{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"] }"""), SeccompArchitecture.X86_64))!;

        Assert.That(ex.JsonPath, Is.EqualTo("linux.seccomp.flags[0]"));
    }
}
