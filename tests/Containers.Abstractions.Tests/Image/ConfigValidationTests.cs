using System.Text;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Image config validation: the cases of image-spec's schema/config_test.go, then mutations.</summary>
public sealed class ConfigValidationTests
{
    // schema/config_test.go, "valid config with optional fields".
    private const string Valid = """
        {
            "created": "2015-10-31T22:22:56.015925234Z",
            "author": "Alyssa P. Hacker <alyspdev@example.com>",
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "User": "1:1",
                "ExposedPorts": {
                    "8080/tcp": {}
                },
                "Env": [
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "FOO=docker_is_a_really",
                    "BAR=great_tool_you_know"
                ],
                "Entrypoint": [
                    "/bin/sh"
                ],
                "Cmd": [
                    "--foreground",
                    "--config",
                    "/etc/my-app.d/default.cfg"
                ],
                "Volumes": {
                    "/var/job-result-data": {},
                    "/var/log/my-app-logs": {}
                },
                "WorkingDir": "/home/alice",
                "Labels": {
                    "com.example.project.git.url": "https://example.com/project.git",
                    "com.example.project.git.commit": "45a939b2999782a3f005621a8d0f29aa387e1d6b"
                }
            },
            "rootfs": {
              "diff_ids": [
                "sha256:9d3dd9504c685a304985025df4ed0283e47ac9ffa9bd0326fddf4d59513f0827",
                "sha256:2b689805fbd00b2db1df73fae47562faac1a626d5f61744bfe29946ecff5d73d"
              ],
              "type": "layers"
            },
            "history": [
              {
                "created": "2015-10-31T22:22:54.690851953Z",
                "created_by": "/bin/sh -c #(nop) ADD file:a3bc1e842b69636f9df5256c49c5374fb4eef1e281fe3f282c65fb853ee171c5 in /"
              },
              {
                "created": "2015-10-31T22:22:55.613815829Z",
                "created_by": "/bin/sh -c #(nop) CMD [\"sh\"]",
                "empty_layer": true
              }
            ]
        }
        """;

    private const string RootFs = """
        "rootfs": {
          "diff_ids": [
            "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
          ],
          "type": "layers"
        }
        """;

    [Test]
    public void Schema_valid_config_passes()
    {
        ImageConfig config = ImageSpecJson.ParseConfig(Encoding.UTF8.GetBytes(Valid));

        Assert.That(config.Config!.User, Is.EqualTo("1:1"));
        Assert.That(config.RootFs.DiffIds, Has.Count.EqualTo(2));
    }

    // The invalid documents of schema/config_test.go, verbatim. Several also carry "os": 123 besides
    // the fault their comment names; required members are bound first, so "os" is the path reported.
    [TestCase("""{ "architecture": "amd64", "os": 123, __ROOTFS__ }""", "os", TestName = "schema: os is a number")]
    [TestCase("""{ "created": "2015-10-31T22:22:56.015925234Z", "author": "Alyssa P. Hacker <alyspdev@example.com>", "architecture": "amd64", "os": "linux", "config": { "User": 1234 }, __ROOTFS__ }""", "config.User", TestName = "schema: config.User is a number")]
    [TestCase("""{ "history": "should be an array", "architecture": "amd64", "os": 123, __ROOTFS__ }""", "os", TestName = "schema: history is a string (with os 123)")]
    [TestCase("""{ "architecture": "amd64", "os": 123, "config": { "Env": [ 7353 ] }, __ROOTFS__ }""", "os", TestName = "schema: Env has a number (after os 123)")]
    [TestCase("""{ "architecture": "amd64", "os": 123, "config": { "Volumes": [ "/var/job-result-data", "/var/log/my-app-logs" ] }, __ROOTFS__ }""", "os", TestName = "schema: Volumes is an array (after os 123)")]
    [TestCase("invalid JSON", "", TestName = "schema: invalid JSON")]
    public void Schema_invalid_config_names_the_field(string json, string expectedPath)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(json.Replace("__ROOTFS__", RootFs, StringComparison.Ordinal));

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseConfig(bytes))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }

    [TestCase("history", "\"should be an array\"", "history", TestName = "history is a string")]
    [TestCase("config.Env", "[\"A=1\", 7353]", "config.Env[1]", TestName = "Env has a number")]
    [TestCase("config.Volumes", "[\"/var/job-result-data\"]", "config.Volumes", TestName = "Volumes is an array")]
    [TestCase("config.ExposedPorts", "{\"80/tcp\": 1}", "config.ExposedPorts", TestName = "ExposedPorts value is not an object")]
    [TestCase("config.Labels", "{\"a\": true}", "config.Labels.a", TestName = "Labels value is a boolean")]
    [TestCase("config.ArgsEscaped", "\"yes\"", "config.ArgsEscaped", TestName = "ArgsEscaped is a string")]
    [TestCase("architecture", null, "architecture", TestName = "architecture missing")]
    [TestCase("architecture", "\"\"", "architecture", TestName = "architecture empty")]
    [TestCase("os", null, "os", TestName = "os missing")]
    [TestCase("rootfs", null, "rootfs", TestName = "rootfs missing")]
    [TestCase("rootfs.type", "\"layer\"", "rootfs.type", TestName = "rootfs.type is not layers")]
    [TestCase("rootfs.type", null, "rootfs.type", TestName = "rootfs.type missing")]
    [TestCase("rootfs.diff_ids", null, "rootfs.diff_ids", TestName = "rootfs.diff_ids missing")]
    [TestCase("rootfs.diff_ids[1]", "\"sha256:2B689805FBD00B2DB1DF73FAE47562FAAC1A626D5F61744BFE29946ECFF5D73D\"", "rootfs.diff_ids[1]", TestName = "diff id upper-case")]
    [TestCase("created", "\"yesterday\"", "created", TestName = "created is not a date")]
    [TestCase("created", "\"2015-13-31T22:22:56Z\"", "created", TestName = "created month 13")]
    [TestCase("history[1].created", "\"2015-10-31 22:22\"", "history[1].created", TestName = "history created malformed")]
    [TestCase("history[0].empty_layer", "\"true\"", "history[0].empty_layer", TestName = "history empty_layer is a string")]
    public void Invalid_config_names_the_field(string path, string? value, string expectedPath)
    {
        byte[] json = JsonEdit.With(Valid, path, value);

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseConfig(json))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }

    [TestCase("2015-10-31T22:22:56Z")]
    [TestCase("2015-10-31T22:22:56.015925234+02:00")]
    [TestCase("0001-01-01T00:00:00Z")]
    [TestCase("2015-10-31t22:22:56z")]
    public void Rfc3339_dates_are_accepted(string created)
    {
        ImageConfig config = ImageSpecJson.ParseConfig(JsonEdit.With(Valid, "created", "\"" + created + "\""));

        Assert.That(config.Created, Is.EqualTo(created));
    }

    [Test]
    public void Config_up_to_its_larger_bound_is_accepted()
    {
        // A config of 5 MiB: over the manifest bound, under the config bound.
        string label = new('x', 5 * 1024 * 1024);
        byte[] json = JsonEdit.With(Valid, "config.Labels.big", "\"" + label + "\"");

        Assert.That(json.Length, Is.GreaterThan(ImageSpecJson.MaxManifestBytes));
        Assert.That(ImageSpecJson.ParseConfig(json).Config!.Labels!["big"], Has.Length.EqualTo(label.Length));
        Assert.Throws<SizeLimitExceededException>(() => ImageSpecJson.ParseConfig(new byte[ImageSpecJson.MaxConfigBytes + 1]));
    }

    [Test]
    public async Task Config_is_read_from_a_stream()
    {
        using NonSeekableStream stream = new(Encoding.UTF8.GetBytes(Valid));

        ImageConfig config = await ImageSpecJson.ReadConfigAsync(stream);

        Assert.That(config.History, Has.Count.EqualTo(2));
    }
}
