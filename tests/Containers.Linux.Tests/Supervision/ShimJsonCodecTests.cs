using System.Text;
using System.Text.Json;
using Containers.Linux.Supervision;

namespace Containers.Linux.Tests.Supervision;

/// <summary>
/// <see cref="ShimJsonCodec"/>, the shim's hand-written JSON, held to <see cref="ShimJsonContext"/> (the serializer the
/// host reads and writes the same messages with): the same bytes out, the same request in, and the same inputs refused.
/// </summary>
public sealed class ShimJsonCodecTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 7, 5, 9, 123, TimeSpan.FromHours(1));

    private static ShimTaskRecord FullTask(string id) => new()
    {
        Namespace = "ns", Id = id, Bundle = "/b/\"quoted\"", Runtime = "/usr/bin/runc", InProcess = true, Stdin = "/s/in",
        Stdout = "file:///var/log/x <&> é", Stderr = "/s/err", Terminal = true, Pid = 4242, Status = "running",
    };

    private static IEnumerable<TestCaseData> Responses()
    {
        yield return new TestCaseData(new ShimResponse()).SetName("empty");
        yield return new TestCaseData(ShimResponse.Failure(ShimErrorKind.NotFound, "no task \"x\"\n")).SetName("failure");
        yield return new TestCaseData(new ShimResponse
        {
            Error = "e", Message = "m\u2028\u00e9\t", Pid = -1, Status = "stopped",
            Exit = new ShimExitRecord { Pid = 7, ExitCode = 137, ExitedAt = At },
            Pids = [new ShimPid { Pid = 1 }, new ShimPid { Pid = 2, ExecId = "e1" }],
            OomCount = ulong.MaxValue, Json = "{\"a\":[1,2]}", Stdin = "/i", Stdout = "/o", Stderr = "/e", Terminal = true,
            Execs = [new ShimExecIO { ExecId = "e1", Stdin = "/1", Stdout = "/2", Stderr = "/3", Terminal = true }, new ShimExecIO()],
            Exiting = true,
            Tasks = [FullTask("t1"), new ShimTaskRecord()],
        }).SetName("every field");
        yield return new TestCaseData(new ShimResponse { Exit = new ShimExitRecord(), Pids = [], Execs = [], Tasks = [] }).SetName("empty nested values");
    }

    [TestCaseSource(nameof(Responses))]
    public void AnswersAreWrittenAsTheSerializerWritesThem(object response) // ShimResponse is internal; the test is public
        => Assert.That(Encoding.UTF8.GetString(ShimJsonCodec.WriteResponse((ShimResponse)response)),
            Is.EqualTo(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes((ShimResponse)response, ShimJsonContext.Default.ShimResponse))));

    [Test]
    public void RecordsAreWrittenAsTheSerializerWritesThem()
    {
        foreach (ShimTaskRecord task in new[] { FullTask("t"), new ShimTaskRecord() })
        {
            Assert.That(Encoding.UTF8.GetString(ShimJsonCodec.WriteTaskRecord(task)),
                Is.EqualTo(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(task, ShimJsonContext.Default.ShimTaskRecord))));
        }

        foreach (ShimExitRecord exit in new[] { new ShimExitRecord { Pid = 9, ExitCode = -1, ExitedAt = At }, new ShimExitRecord() })
        {
            Assert.That(Encoding.UTF8.GetString(ShimJsonCodec.WriteExitRecord(exit)),
                Is.EqualTo(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(exit, ShimJsonContext.Default.ShimExitRecord))));
        }
    }

    [Test]
    public void ARequestReadsAsTheSerializerReadsIt()
    {
        ShimRequest full = new()
        {
            Op = ShimOps.Create, Id = "c1", ExecId = "e1", Namespace = "ns", Bundle = "/b", Runtime = "/usr/bin/crun", Stdin = "/i",
            Stdout = "file:///l \u00e9", Stderr = "/e", Signal = 15, All = true, Terminal = true, Width = 80, Height = 24,
            After = ulong.MaxValue, Json = "{\"args\":[\"sh\"]}", Start = true, ExitWithTask = true,
        };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(full, ShimJsonContext.Default.ShimRequest);

        Assert.That(Reserialize(ShimJsonCodec.ReadRequest(json)), Is.EqualTo(Encoding.UTF8.GetString(json)));
    }

    [TestCase("""{"op":"list","unknown":{"a":[1,{"b":null}]},"other":[true],"x":"y","id":null}""")]
    [TestCase("""  {"id":"a","id":"b","op":"state"}  """)]
    [TestCase("""{}""")]
    [TestCase("""{"op":"kill","signal":9,"all":false,"after":0}""")]
    public void AcceptedRequestsMatchTheSerializer(string text)
    {
        byte[] json = Encoding.UTF8.GetBytes(text);
        ShimRequest expected = JsonSerializer.Deserialize(json, ShimJsonContext.Default.ShimRequest)!;

        Assert.That(Reserialize(ShimJsonCodec.ReadRequest(json)), Is.EqualTo(Reserialize(expected)));
    }

    [TestCase("")]
    [TestCase("[]")]
    [TestCase("1")]
    [TestCase("\"op\"")]
    [TestCase("{\"op\":\"list\"")]
    [TestCase("""{"op":"list"} x""")]
    [TestCase("""{"op":"list"}{}""")]
    [TestCase("""{"op":1}""")]
    [TestCase("""{"signal":"9"}""")]
    [TestCase("""{"signal":1.5}""")]
    [TestCase("""{"signal":4294967296}""")]
    [TestCase("""{"after":-1}""")]
    [TestCase("""{"all":1}""")]
    [TestCase("""{"start":null}""")]
    [TestCase("""{"op":"list",}""")]
    [TestCase("""{"op":"list" /* c */}""")]
    public void RefusedRequestsAreRefusedByBoth(string text)
    {
        byte[] json = Encoding.UTF8.GetBytes(text);

        Assert.Throws(Is.InstanceOf<JsonException>(), () => JsonSerializer.Deserialize(json, ShimJsonContext.Default.ShimRequest), "the serializer");
        Assert.Throws(Is.InstanceOf<JsonException>(), () => ShimJsonCodec.ReadRequest(json), "the codec");
    }

    [Test]
    public void AStringThatIsNotUtf8IsAJsonException()
    {
        byte[] json = [.. "{\"id\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Throws(Is.InstanceOf<JsonException>(), () => ShimJsonCodec.ReadRequest(json));
    }

    private static string Reserialize(ShimRequest request) => JsonSerializer.Serialize(request, ShimJsonContext.Default.ShimRequest);
}
