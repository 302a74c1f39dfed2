namespace Containers.Images.Layout;

/// <summary>The annotation keys that name images in an OCI layout's <c>index.json</c>.</summary>
public static class OciLayoutAnnotations
{
    /// <summary>The image-spec's reference name: a tag, or any name the tool chose.</summary>
    public const string RefName = "org.opencontainers.image.ref.name";

    /// <summary>containerd's full image name, written beside the tag-only ref name.</summary>
    public const string ImageName = "io.containerd.image.name";
}
