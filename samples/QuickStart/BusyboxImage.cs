using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Containers;
using Containers.Distribution;
using Containers.Oci.Image;
using Containers.Registry;

namespace Containers.Samples.QuickStart;

/// <summary>Builds a one-layer image from Debian's busybox-static and pushes it with the library's registry client.</summary>
internal static class BusyboxImage
{
    public static async Task PushAsync(RegistryClient registry, ImageReference reference, CancellationToken cancellationToken)
    {
        byte[] tar = await BuildLayerTarAsync(cancellationToken);
        using MemoryStream gz = new();
        await using (GZipStream gzip = new(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(tar, cancellationToken);
        }

        byte[] layer = gz.ToArray();
        Descriptor layerDescriptor = Descriptor.FromContent(MediaTypes.ImageLayerGzip, layer, embed: false);
        ImageConfig config = new()
        {
            Architecture = Platforms.Host.Architecture,
            OS = "linux",
            Config = new ContainerConfig
            {
                Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                Cmd = ["sh"],
            },
            RootFs = new RootFs { Type = "layers", DiffIds = [Digest.Compute(tar)] },
        };
        byte[] configBytes = ImageSpecJson.Serialize(config);
        Descriptor configDescriptor = Descriptor.FromContent(MediaTypes.ImageConfig, configBytes, embed: false);
        Manifest manifest = new()
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.ImageManifest,
            Config = configDescriptor,
            Layers = [layerDescriptor],
        };
        byte[] manifestBytes = ImageSpecJson.Serialize(manifest);

        IPusher pusher = await registry.GetPusherAsync(reference, cancellationToken);
        await pusher.PushAsync(layerDescriptor, new MemoryStream(layer), null, cancellationToken);
        await pusher.PushAsync(configDescriptor, new MemoryStream(configBytes), null, cancellationToken);
        await pusher.PushAsync(Descriptor.FromContent(MediaTypes.ImageManifest, manifestBytes, embed: false), new MemoryStream(manifestBytes), null, cancellationToken);
    }

    private static async Task<byte[]> BuildLayerTarAsync(CancellationToken cancellationToken)
    {
        const string busybox = "/bin/busybox";
        if (!File.Exists(busybox))
        {
            throw new FileNotFoundException("busybox-static is not installed (apt-get install busybox-static)", busybox);
        }

        using Process list = Process.Start(new ProcessStartInfo(busybox, "--list-full") { RedirectStandardOutput = true })!;
        string applets = await list.StandardOutput.ReadToEndAsync(cancellationToken);
        await list.WaitForExitAsync(cancellationToken);

        using MemoryStream output = new();
        await using (TarWriter writer = new(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            DateTimeOffset epoch = DateTimeOffset.UnixEpoch;
            foreach (string dir in new[] { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys", "tmp", "root" })
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = dir == "tmp" ? (UnixFileMode)0b1_111_111_111 : (UnixFileMode)0b111_101_101, ModificationTime = epoch }, cancellationToken);
            }

            await using (FileStream binary = File.OpenRead(busybox))
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = epoch, DataStream = binary }, cancellationToken);
            }

            foreach (string applet in applets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(a => a != "bin/busybox").Distinct())
            {
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, applet) { LinkName = "/bin/busybox", Mode = (UnixFileMode)0b111_111_111, ModificationTime = epoch }, cancellationToken);
            }

            byte[] passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"u8.ToArray();
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "etc/passwd") { Mode = (UnixFileMode)0b110_100_100, ModificationTime = epoch, DataStream = new MemoryStream(passwd) }, cancellationToken);
        }

        return output.ToArray();
    }
}
