using System.Runtime.InteropServices;
using System.Text.Json;
using Containers.Linux.Runtime;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Runtime;

public sealed class SpawnPlanSeccompTests
{
    private static Spec WithSeccomp(string json) => new()
    {
        OciVersion = "1.0.2",
        Process = new ProcessSpec { Cwd = "/", Args = ["sh"], Env = ["PATH=/bin"], NoNewPrivileges = true },
        Root = new Root { Path = "rootfs" },
        Linux = new Oci.Runtime.Linux
        {
            Namespaces = [new LinuxNamespace { Type = "mount" }],
            Seccomp = JsonSerializer.Deserialize(json, RuntimeSpecJsonContext.Default.LinuxSeccomp),
        },
    };

    [Test]
    public void The_plan_carries_the_compiled_program_and_the_cache_is_used()
    {
        Spec spec = WithSeccomp("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO" } ] }""");
        SeccompProgramCache cache = new();

        SpawnPlan first = SpawnPlanFactory.Create(spec, "/b", [], cache);
        SpawnPlan second = SpawnPlanFactory.Create(spec, "/b", [], cache);

        Assert.That(first.Seccomp, Is.Not.Null);
        Assert.That(first.Seccomp!.AsSpan().ToArray(), Is.EqualTo(SeccompCompiler.Compile(spec.Linux!.Seccomp!, Containers.Linux.Seccomp.SeccompArchitecture.X86_64).AsSpan().ToArray()));
        Assert.That(second.Seccomp, Is.SameAs(first.Seccomp));
        Assert.That((cache.Misses, cache.Hits), Is.EqualTo((1L, 1L)));
    }

    [Test]
    public void No_profile_means_no_program()
    {
        Spec spec = WithSeccomp("""{ "defaultAction": "SCMP_ACT_ALLOW" }""");
        spec.Linux!.Seccomp = null;

        Assert.That(SpawnPlanFactory.Create(spec, "/b", []).Seccomp, Is.Null);
    }

    [Test]
    public void Notify_on_sendmsg_would_deadlock_the_hand_off_and_is_refused_by_name()
    {
        Spec spec = WithSeccomp("""{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/a.sock", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO" }, { "names": ["sendmsg"], "action": "SCMP_ACT_NOTIFY" } ] }""");

        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.JsonPath, Is.EqualTo("linux.seccomp.syscalls[1].names[0]"));
    }

    [Test]
    public void Unknown_fields_in_the_profile_are_reported()
    {
        Spec spec = WithSeccomp("""{ "defaultAction": "SCMP_ACT_ALLOW", "comment": "x", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "includes": {} } ] }""");
        List<string> warnings = [];

        SpawnPlanFactory.Create(spec, "/b", warnings);

        Assert.That(warnings, Is.EquivalentTo(new[] { "linux.seccomp.comment: unknown field, ignored", "linux.seccomp.syscalls[0].includes: unknown field, ignored" }));
    }

    [Test]
    public unsafe void The_child_record_holds_a_kernel_sock_fprog_and_installs_late_only_with_no_new_privs()
    {
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer 8 bytes after len.
        Assert.That((int)Marshal.OffsetOf<ChildSeccomp>(nameof(ChildSeccomp.Filter)) - (int)Marshal.OffsetOf<ChildSeccomp>(nameof(ChildSeccomp.Length)), Is.EqualTo(8));

        SpawnPlan plan = SpawnPlanFactory.Create(WithSeccomp("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO" } ] }"""), "/b", []);
        using NativeArena arena = new();
        ChildSeccomp* late = ChildSeccompBuilder.Build(plan, arena);
        ChildSeccomp* early = ChildSeccompBuilder.Build(plan with { NoNewPrivileges = false }, arena);

        Assert.That((int)late->Length, Is.EqualTo(plan.Seccomp!.Length));
        Assert.That(new ReadOnlySpan<SockFilter>(late->Filter, late->Length).ToArray(), Is.EqualTo(plan.Seccomp.AsSpan().ToArray()));
        Assert.That((late->BeforeCapabilities, early->BeforeCapabilities), Is.EqualTo((0, 1)));
        Assert.That((late->NotifySocket, late->NotifyParentSocket), Is.EqualTo((-1, -1)));
        Assert.That(ChildSeccompBuilder.Build(plan with { Seccomp = null }, arena) == null, Is.True);
    }
}
