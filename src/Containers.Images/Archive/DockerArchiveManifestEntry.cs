using System.Text.Json.Serialization;

namespace Containers.Images.Archive;

/// <summary>One image in a docker-archive's <c>manifest.json</c> (the <c>docker save</c> format).</summary>
public sealed class DockerArchiveManifestEntry
{
    /// <summary>The archive path of the image config, for example <c>&lt;hex&gt;.json</c>.</summary>
    [JsonPropertyName("Config")]
    public required string Config { get; set; }

    /// <summary>The image's names, such as <c>busybox:latest</c>; may be empty.</summary>
    [JsonPropertyName("RepoTags")]
    public IList<string>? RepoTags { get; set; }

    /// <summary>The archive paths of the uncompressed layer tars, bottom first.</summary>
    [JsonPropertyName("Layers")]
    public required IList<string> Layers { get; set; }
}
