using Containers.Testing;

namespace Containers.Images.Tests.Layout;

/// <summary>skopeo and umoci as oracles over local layouts and archives.</summary>
internal static class Skopeo
{
    public const string Path = "/usr/bin/skopeo";
    public const string UmociPath = "/usr/bin/umoci";

    public static Task<ToolResult> CopyAsync(string source, string destination)
    {
        TestHost.RequireTool(Path, "skopeo");
        return Tool.RunCheckedAsync(Path, "copy", "--quiet", source, destination);
    }

    /// <summary>The manifest digest skopeo sees for a local image reference (oci:, oci-archive:, docker-archive:).</summary>
    public static async Task<string> DigestAsync(string image)
    {
        TestHost.RequireTool(Path, "skopeo");
        ToolResult result = await Tool.RunCheckedAsync(Path, "inspect", "--format", "{{.Digest}}", image);
        return result.StandardOutput.Trim();
    }

    /// <summary>The layer diff ids skopeo reports from the image config.</summary>
    public static async Task<string[]> DiffIdsAsync(string image)
    {
        TestHost.RequireTool(Path, "skopeo");
        ToolResult result = await Tool.RunCheckedAsync(Path, "inspect", "--config", "--raw", image);
        using System.Text.Json.JsonDocument config = System.Text.Json.JsonDocument.Parse(result.StandardOutput);
        return [.. config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!)];
    }
}
