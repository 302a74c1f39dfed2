using System.Security.Cryptography;
using Containers.Images.Layout;
using Containers.Testing;

namespace Containers.Images.Tests.Layout;

/// <summary>
/// Two busybox images written as OCI layouts by <see cref="OciTestImage"/> (independently of the
/// product): <c>v1</c> with one layer, <c>v2</c> with an extra layer of random data.
/// </summary>
internal sealed class TwoTestImages : IDisposable
{
    private readonly TempDirectory _dir;

    private TwoTestImages(TempDirectory dir, string first, OciTestImage.Result firstImage, string second, OciTestImage.Result secondImage)
    {
        _dir = dir;
        FirstLayout = first;
        First = firstImage;
        SecondLayout = second;
        Second = secondImage;
    }

    public string FirstLayout { get; }

    public OciTestImage.Result First { get; }

    public string SecondLayout { get; }

    public OciTestImage.Result Second { get; }

    /// <summary>The size of the random file in the second image's extra layer.</summary>
    public const int ExtraFileSize = 300 * 1024;

    public static async Task<TwoTestImages> BuildAsync()
    {
        TempDirectory dir = new("ctr-images-");
        string first = dir.Combine("first");
        OciTestImage.Result firstImage = await OciTestImage.WriteBusyboxAsync(first, "v1");
        string extra = dir.Combine("extra");
        Directory.CreateDirectory(extra);
        await File.WriteAllBytesAsync(Path.Combine(extra, "data.bin"), RandomNumberGenerator.GetBytes(ExtraFileSize));
        string second = dir.Combine("second");
        OciTestImage.Result secondImage = await OciTestImage.WriteBusyboxAsync(second, "v2", [extra]);
        return new TwoTestImages(dir, first, firstImage, second, secondImage);
    }

    /// <summary>Fresh stores holding both images, imported as <c>example.com/test/busybox:v1</c> and <c>:v2</c>.</summary>
    public async Task<(ImageStores Stores, Image First, Image Second)> PopulateAsync()
    {
        ImageStores stores = new();
        OciLayoutImporter importer = new(stores.Content, stores.Images);
        OciImportOptions options = new() { BaseName = "example.com/test/busybox" };
        Image first = (await importer.ImportDirectoryAsync(FirstLayout, options)).Single();
        Image second = (await importer.ImportDirectoryAsync(SecondLayout, options)).Single();
        return (stores, first, second);
    }

    public void Dispose() => _dir.Dispose();
}
