using Containers.Content;
using Containers.Distribution;
using Containers.Images;
using Containers.Images.Push;
using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs images push REF [LOCAL] [--plain-http] [--platform P | --all-platforms] [--user USER:PASSWORD]</c>:
/// pushes the image recorded as LOCAL (REF itself when omitted), as <c>ctr images push</c> does.
/// </summary>
internal static class PushCommand
{
    public static async Task<int> RunAsync(IContentStore content, IImageStore images, string[] args, CancellationToken cancellationToken)
    {
        RegistryArguments? parsed = RegistryArguments.Parse(args, out string? error);
        if (parsed is null || parsed.Positional.Count is < 1 or > 2)
        {
            return RegistryArguments.Usage(error ?? "usage: images push [--plain-http] [--platform P|--all-platforms] [--user USER:PASSWORD] REF [LOCAL]");
        }

        ImageReference reference = ImageReference.Parse(parsed.Positional[0]).WithDefaultTag();
        string local = parsed.Positional.Count == 2 ? parsed.Positional[1] : reference.ToString();
        Image image = await images.GetAsync(local, cancellationToken);
        using RegistryClient registry = new(parsed.ClientOptions(reference));
        PushOptions options = new() { Platform = parsed.Platform, AllPlatforms = parsed.AllPlatforms };
        PushedImage pushed;
        ITransferDisplay display = ITransferDisplay.ForConsole("uploading");
        await using (display.ConfigureAwait(false))
        {
            pushed = await new ImagePusher(registry, content).PushAsync(reference, image.Target, options, display, cancellationToken);
        }

        Console.WriteLine($"{reference}: {pushed.Target.Digest} ({pushed.UploadedBlobs} uploaded, {pushed.MountedBlobs} mounted, {pushed.ExistingBlobs} already there)");
        return 0;
    }
}
