using Containers.Content;
using Containers.Distribution;
using Containers.Images;
using Containers.Images.Pull;
using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary><c>ctrs images pull REF [--plain-http] [--platform P | --all-platforms] [--user USER:PASSWORD]</c>.</summary>
internal static class PullCommand
{
    public static async Task<int> RunAsync(IContentStore content, IImageStore images, string[] args, CancellationToken cancellationToken)
    {
        RegistryArguments? parsed = RegistryArguments.Parse(args, out string? error);
        if (parsed is null || parsed.Positional.Count != 1)
        {
            return RegistryArguments.Usage(error ?? "usage: images pull [--plain-http] [--platform P|--all-platforms] [--user USER:PASSWORD] REF");
        }

        ImageReference reference = ImageReference.Parse(parsed.Positional[0]).WithDefaultTag();
        using RegistryClient registry = new(parsed.ClientOptions(reference));
        PullOptions options = new() { Platform = parsed.Platform, AllPlatforms = parsed.AllPlatforms };
        PulledImage pulled;
        ITransferDisplay display = ITransferDisplay.ForConsole("downloading");
        await using (display.ConfigureAwait(false))
        {
            pulled = await new ImagePuller(registry, content, images).PullAsync(reference, options, display, cancellationToken);
        }

        Console.WriteLine($"{reference}: {pulled.Target.Digest}");
        return 0;
    }
}
