using Containers.Linux.Seccomp;

namespace Containers.Linux.Tests.Seccomp;

public sealed class SeccompSpecErrorTests
{
    private const string Allow = """{ "names": ["getpid"], "action": "SCMP_ACT_ALLOW" }""";

    private static IEnumerable<TestCaseData> BadProfiles()
    {
        yield return new TestCaseData(
            $$"""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ {{Allow}}, {{Allow}}, {{Allow}}, { "names": ["read"], "action": "SCMP_ACT_EXPLODE" } ] }""",
            "linux.seccomp.syscalls[3].action").SetName("unknown action");
        yield return new TestCaseData(
            $$"""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ {{Allow}}, { "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_ABOUT" } ] } ] }""",
            "linux.seccomp.syscalls[1].args[0].op").SetName("bad op");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [ { "index": 5, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 6, "value": 1, "op": "SCMP_CMP_EQ" } ] } ] }""",
            "linux.seccomp.syscalls[0].args[1].index").SetName("index above 5");
        yield return new TestCaseData(
            $$"""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ {{Allow}}, {{Allow}}, { "names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1 } ] }""",
            "linux.seccomp.syscalls[2].errnoRet").SetName("errnoRet without ERRNO or TRACE");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1 }""",
            "linux.seccomp.defaultErrnoRet").SetName("defaultErrnoRet with ALLOW");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ERRNO", "architectures": [ "SCMP_ARCH_X86_64", "SCMP_ARCH_VAX" ] }""",
            "linux.seccomp.architectures[1]").SetName("unknown architecture");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ERRNO", "flags": [ "SECCOMP_FILTER_FLAG_FAST" ] }""",
            "linux.seccomp.flags[0]").SetName("unknown flag");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_PAUSE" }""",
            "linux.seccomp.defaultAction").SetName("unknown default action");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_NOTIFY" }""",
            "linux.seccomp.defaultAction").SetName("NOTIFY as default action");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 70000 } ] }""",
            "linux.seccomp.syscalls[0].errnoRet").SetName("errno out of range");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_NOTIFY" } ] }""",
            "linux.seccomp.listenerPath").SetName("NOTIFY without listenerPath");
        yield return new TestCaseData(
            """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [], "action": "SCMP_ACT_KILL" } ] }""",
            "linux.seccomp.syscalls[0].names").SetName("no names");
        yield return new TestCaseData(
            """
            { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
              { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 8, "args": [ { "index": 0, "value": 7, "op": "SCMP_CMP_EQ" } ] },
              { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 9, "args": [ { "index": 0, "value": 7, "op": "SCMP_CMP_EQ" } ] } ] }
            """,
            "linux.seccomp.syscalls[1]").SetName("same conditions, different action (libseccomp EEXIST)");
    }

    [TestCaseSource(nameof(BadProfiles))]
    public void Bad_input_names_the_field(string json, string expectedPath)
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => SeccompCompiler.Compile(Profiles.Parse(json), SeccompArchitecture.X86_64));
        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }

    [Test]
    public void Architecture_without_a_syscall_table_is_unsupported()
    {
        Containers.Oci.Runtime.LinuxSeccomp profile = Profiles.Parse("""{ "defaultAction": "SCMP_ACT_ERRNO", "architectures": [ "SCMP_ARCH_LOONGARCH64" ] }""");
        Assert.Throws<UnsupportedException>(() => SeccompCompiler.Compile(profile, SeccompArchitecture.X86_64));
    }
}
