using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Containers.Abstractions.Tests.Runtime;

/// <summary>Test documents: files under TestData/Runtime and the output of the real runc and crun.</summary>
internal static class RuntimeTestData
{
    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "Runtime", name));

    public static JsonObject ReadObject(string name) => JsonNode.Parse(Read(name))!.AsObject();

    public static byte[] ToBytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>Runs e.g. <c>runc spec --rootless</c> in a fresh directory and returns the config.json it wrote.</summary>
    public static byte[] GenerateSpec(string binary, params string[] args) => Run(binary, args, readConfig: true);

    /// <summary>Runs e.g. <c>runc features</c> and returns what it printed.</summary>
    public static byte[] CaptureOutput(string binary, params string[] args) => Run(binary, args, readConfig: false);

    private static byte[] Run(string binary, string[] args, bool readConfig)
    {
        string? executable = FindOnPath(binary);
        if (executable is null)
        {
            Assert.Ignore($"{binary} is not installed (not found on PATH); CI installs it, install the Debian package to run this test");
        }

        string directory = Directory.CreateTempSubdirectory("rtspec-").FullName;
        try
        {
            ProcessStartInfo start = new(executable!) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            using MemoryStream stdout = new();
            Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            copy.GetAwaiter().GetResult();
            Assert.That(process.ExitCode, Is.Zero, $"{binary} {string.Join(' ', args)} failed: {stderr}");
            return readConfig ? File.ReadAllBytes(Path.Combine(directory, "config.json")) : stdout.ToArray();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? FindOnPath(string binary)
    {
        string path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, binary))
            .FirstOrDefault(File.Exists);
    }
}
