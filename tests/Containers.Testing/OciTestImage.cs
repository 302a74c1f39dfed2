using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Containers.Testing;

/// <summary>
/// Writes OCI image layouts for tests, independently of the product's own models (so they can
/// serve as an oracle): a busybox image from Debian's busybox-static, and extra layers made from
/// directories with GNU tar. The result can be pushed to <see cref="LocalRegistry"/> with skopeo.
/// </summary>
public static class OciTestImage
{
    /// <summary>The manifest digest, its size, and the layers' diff ids of an image written by this class.</summary>
    public sealed record Result(string ManifestDigest, long ManifestSize, string ConfigDigest, IReadOnlyList<string> LayerDigests, IReadOnlyList<string> DiffIds);

    /// <summary>
    /// Writes an OCI layout at <paramref name="layoutDirectory"/> holding one image tagged
    /// <paramref name="tag"/>: busybox as the first layer, then one layer per extra directory.
    /// </summary>
    /// <param name="layoutDirectory">Where the layout goes.</param>
    /// <param name="tag">The tag.</param>
    /// <param name="extraLayerDirectories">Directories archived as further layers, in order.</param>
    /// <param name="cmd">The config's Cmd; <c>sh</c> when null.</param>
    /// <param name="keepOwnersAndTimes">Archive the extra layers with their real owners and mtimes (busybox is always root-owned at time 0).</param>
    public static async Task<Result> WriteBusyboxAsync(string layoutDirectory, string tag = "latest", IReadOnlyList<string>? extraLayerDirectories = null, string[]? cmd = null, bool keepOwnersAndTimes = false)
    {
        using TempDirectory work = new("ctr-image-");
        string rootfs = work.Combine("rootfs");
        await BusyboxRootfs.CreateAsync(rootfs);

        string blobs = Path.Combine(layoutDirectory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        List<string> layerDigests = [];
        List<string> diffIds = [];
        List<long> layerSizes = [];
        foreach (string dir in new[] { rootfs }.Concat(extraLayerDirectories ?? []))
        {
            (string digest, long size, string diffId) = await WriteLayerAsync(dir, work.Path, blobs, keepOwnersAndTimes && dir != rootfs);
            layerDigests.Add(digest);
            layerSizes.Add(size);
            diffIds.Add(diffId);
        }

        JsonObject config = new()
        {
            ["created"] = "2026-01-01T00:00:00Z",
            ["architecture"] = HostArchitecture(),
            ["os"] = "linux",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                ["Cmd"] = new JsonArray((cmd ?? ["sh"]).Select(c => (JsonNode)c!).ToArray()),
                ["WorkingDir"] = "/",
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode)d!).ToArray()) },
            ["history"] = new JsonArray(diffIds.Select((_, i) => (JsonNode)new JsonObject { ["created"] = "2026-01-01T00:00:00Z", ["created_by"] = $"test layer {i}" }).ToArray()),
        };
        (string configDigest, long configSize) = WriteBlob(blobs, JsonSerializer.SerializeToUtf8Bytes(config));

        JsonObject manifest = new()
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = new JsonObject { ["mediaType"] = "application/vnd.oci.image.config.v1+json", ["digest"] = configDigest, ["size"] = configSize },
            ["layers"] = new JsonArray(layerDigests.Select((d, i) => (JsonNode)new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip",
                ["digest"] = d,
                ["size"] = layerSizes[i],
            }).ToArray()),
        };
        byte[] manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest);
        (string manifestDigest, long manifestSize) = WriteBlob(blobs, manifestBytes);

        JsonObject index = new()
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
                ["digest"] = manifestDigest,
                ["size"] = manifestSize,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.ref.name"] = tag },
                ["platform"] = new JsonObject { ["architecture"] = HostArchitecture(), ["os"] = "linux" },
            }),
        };
        await File.WriteAllTextAsync(Path.Combine(layoutDirectory, "index.json"), index.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(layoutDirectory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return new Result(manifestDigest, manifestSize, configDigest, layerDigests, diffIds);
    }

    /// <summary>The host's architecture in GOARCH form.</summary>
    public static string HostArchitecture() => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static async Task<(string Digest, long Size, string DiffId)> WriteLayerAsync(string directory, string work, string blobs, bool keepOwnersAndTimes)
    {
        // GNU tar with fixed order, owners and times: the same tree always gives the same layer.
        string tarPath = Path.Combine(work, Guid.NewGuid().ToString("N") + ".tar");
        string[] normalise = keepOwnersAndTimes ? ["--format=posix"] : ["--mtime=@0", "--owner=0", "--group=0"];
        await Tool.RunCheckedAsync("tar", ["--sort=name", .. normalise, "--numeric-owner", "--xattrs", "-C", directory, "-cf", tarPath, "."]);
        byte[] tar = await File.ReadAllBytesAsync(tarPath);
        string diffId = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar));
        using MemoryStream compressed = new();
        await using (GZipStream gzip = new(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(tar);
        }

        (string digest, long size) = WriteBlob(blobs, compressed.ToArray());
        return (digest, size, diffId);
    }

    private static (string Digest, long Size) WriteBlob(string blobs, byte[] content)
    {
        string hex = Convert.ToHexStringLower(SHA256.HashData(content));
        File.WriteAllBytes(Path.Combine(blobs, hex), content);
        return ("sha256:" + hex, content.LongLength);
    }

    /// <summary>Pushes the layout's <paramref name="tag"/> to <paramref name="registry"/> as <paramref name="repository"/>:<paramref name="tag"/> with skopeo.</summary>
    public static async Task PushWithSkopeoAsync(string layoutDirectory, string tag, LocalRegistry registry, string repository)
    {
        TestHost.RequireTool("/usr/bin/skopeo", "skopeo");
        await Tool.RunCheckedAsync("/usr/bin/skopeo", "copy", "--dest-tls-verify=false", "--preserve-digests",
            $"oci:{layoutDirectory}:{tag}", $"docker://{registry.Host}/{repository}:{tag}");
    }

    /// <summary>The manifest digest skopeo sees for <paramref name="repository"/>:<paramref name="tag"/>.</summary>
    public static async Task<string> InspectDigestWithSkopeoAsync(LocalRegistry registry, string repository, string tag)
    {
        ToolResult result = await Tool.RunCheckedAsync("/usr/bin/skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{registry.Host}/{repository}:{tag}");
        return result.StandardOutput.Trim();
    }

    /// <summary>UTF-8 text of a file, for building layer directories in tests.</summary>
    public static void WriteFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Encoding.UTF8);
    }
}
