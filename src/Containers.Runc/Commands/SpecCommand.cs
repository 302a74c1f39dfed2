namespace Containers.Runc.Commands;

/// <summary><c>runcs spec [-b bundle]</c>: write runc's default config.json.</summary>
internal static class SpecCommand
{
    public static int Execute(CommandLine line)
    {
        if (line.Switch("--rootless"))
        {
            throw new UnsupportedException("spec --rootless: user namespaces are not supported by runcs yet");
        }

        string bundle = line.Option("--bundle") ?? Directory.GetCurrentDirectory();
        string path = Path.Combine(bundle, "config.json");
        if (File.Exists(path))
        {
            throw new AlreadyExistsException("file", "config.json");
        }

        File.WriteAllText(path, DefaultSpec.Json.ReplaceLineEndings("\n"));
        return 0;
    }
}
