using Containers.Distribution;
using Containers.Oci.Image;
using Containers.Registry;
using Containers.Registry.Auth;

namespace Containers.Samples.Ctrs;

/// <summary>
/// The arguments <c>images pull</c> and <c>images push</c> share:
/// <c>[--plain-http] [--platform P | --all-platforms] [--user USER:PASSWORD] POSITIONAL...</c>.
/// </summary>
internal sealed class RegistryArguments
{
    public bool PlainHttp { get; private set; }

    public PlatformMatcher? Platform { get; private set; }

    public bool AllPlatforms { get; private set; }

    public RegistryCredentials? User { get; private set; }

    public List<string> Positional { get; } = [];

    /// <summary>Parses <paramref name="args"/>; on a usage error returns null and the message.</summary>
    public static RegistryArguments? Parse(string[] args, out string? error)
    {
        RegistryArguments parsed = new();
        error = null;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "--plain-http":
                    parsed.PlainHttp = true;
                    break;
                case "--all-platforms":
                    parsed.AllPlatforms = true;
                    break;
                case "--platform" when i + 1 < args.Length:
                    if (!Platforms.TryParse(args[++i], out Platform? platform))
                    {
                        error = $"--platform: \"{args[i]}\" is not a platform (os/arch[/variant])";
                        return null;
                    }

                    parsed.Platform = PlatformMatcher.Only(platform);
                    break;
                case "--user" when i + 1 < args.Length:
                    string[] parts = args[++i].Split(':', 2);
                    if (parts.Length != 2 || parts[0].Length == 0)
                    {
                        error = "--user needs USER:PASSWORD";
                        return null;
                    }

                    parsed.User = new RegistryCredentials(parts[0], parts[1]);
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                    {
                        error = $"unexpected argument {arg}";
                        return null;
                    }

                    parsed.Positional.Add(arg);
                    break;
            }
        }

        if (parsed.AllPlatforms && parsed.Platform is not null)
        {
            error = "--platform and --all-platforms exclude each other";
            return null;
        }

        return parsed;
    }

    /// <summary>Client settings for talking to the registry of <paramref name="reference"/>.</summary>
    public RegistryClientOptions ClientOptions(ImageReference reference)
    {
        RegistryClientOptions options = new();
        RegistryRepository repository = RegistryClient.RepositoryOf(reference);
        if (PlainHttp)
        {
            options.InsecureRegistries.Add(repository.Host);
        }

        if (User is not null)
        {
            options.Auth.Credentials = new StaticCredentialProvider(new Dictionary<string, RegistryCredentials> { [repository.Host] = User });
        }

        return options;
    }

    /// <summary>Prints a usage error the way <c>Program</c> does and returns its exit code.</summary>
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"ctrs: {message}");
        return 2;
    }
}
