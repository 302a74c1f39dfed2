using Containers.Testing;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// The busybox image (from Debian's busybox-static, built at test time) as an OCI archive: a tar of an OCI
/// layout whose ref name is a full image name, so both <c>podman load</c> and <c>ctr images import</c> tag it.
/// </summary>
public sealed class ClientImage : IDisposable
{
    /// <summary>The name the image is loaded under.</summary>
    public const string Name = "localhost/runcs-clients:test";

    private readonly TempDirectory _directory = new("clients-image-");

    private ClientImage()
    {
    }

    /// <summary>The OCI archive.</summary>
    public string ArchivePath => _directory.Combine("image.tar");

    /// <summary>Writes the layout and archives it.</summary>
    public static async Task<ClientImage> CreateAsync()
    {
        ClientImage image = new();
        string layout = image._directory.Combine("layout");
        await OciTestImage.WriteBusyboxAsync(layout, tag: Name);
        await Tool.RunCheckedAsync("tar", "-C", layout, "-cf", image.ArchivePath, ".");
        return image;
    }

    /// <inheritdoc />
    public void Dispose() => _directory.Dispose();
}
