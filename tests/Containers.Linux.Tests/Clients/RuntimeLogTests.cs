using System.Text.Json;
using Containers.Linux.Tests.Runc;
using Containers.Testing;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// The global <c>--log FILE --log-format json|text</c> that containerd's shim passes: the error goes to stderr and,
/// in logrus's format, to the file, where the shim reads it; runcs and runc 1.1.5 write the same entry.
/// </summary>
[TestFixture]
public sealed class RuntimeLogTests
{
    [TestCase("runcs")]
    [TestCase("runc")]
    public void Error_IsLoggedAsJson(string name)
    {
        RootRequired.Check();
        ClientRuntime runtime = ClientRuntime.Of(name);
        using TempDirectory directory = new("runtime-log-");
        string log = directory.Combine("log.json");

        ProcessResult kill = Commands.Run(runtime.Path, ["--root", directory.Combine("root"), "--log", log, "--log-format", "json", "kill", "nosuch", "9"]);

        Assert.That(kill.ExitCode, Is.EqualTo(1), kill.ToString());
        Assert.That(kill.StandardError, Does.Contain("container does not exist"));
        string[] lines = File.ReadAllLines(log);
        Assert.That(lines, Has.Length.EqualTo(1), string.Join('\n', lines));
        using JsonDocument entry = JsonDocument.Parse(lines[0]);
        Assert.That(entry.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "level", "msg", "time" }));
        Assert.That(entry.RootElement.GetProperty("level").GetString(), Is.EqualTo("error"));
        Assert.That(entry.RootElement.GetProperty("msg").GetString(), Is.EqualTo("container does not exist"));
        Assert.That(DateTimeOffset.TryParse(entry.RootElement.GetProperty("time").GetString(), out _), Is.True, lines[0]);
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void Error_IsLoggedAsText(string name)
    {
        RootRequired.Check();
        ClientRuntime runtime = ClientRuntime.Of(name);
        using TempDirectory directory = new("runtime-log-");
        string log = directory.Combine("log.txt");

        ProcessResult delete = Commands.Run(runtime.Path, ["--root", directory.Combine("root"), "--log", log, "delete", "nosuch"]);

        Assert.That(delete.ExitCode, Is.EqualTo(1), delete.ToString());
        Assert.That(File.ReadAllText(log), Does.Match("^time=\"[^\"]+\" level=error msg=\"container does not exist\"\n$"));
    }
}
