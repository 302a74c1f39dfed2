using System.Globalization;
using System.Text.RegularExpressions;

namespace Containers.Oci.Image;

/// <summary>
/// Checks image-spec documents beyond what their JSON shape enforces. Every failure is an
/// <see cref="InvalidSpecException"/> whose <see cref="InvalidSpecException.JsonPath"/> names the
/// field, for example <c>layers[1].digest</c>.
/// </summary>
public static partial class ImageSpecValidator
{
    /// <summary>The only schema version of manifests and indexes.</summary>
    public const int SchemaVersion = 2;

    /// <summary>Checks an image manifest (OCI or Docker schema 2).</summary>
    /// <exception cref="InvalidSpecException">The manifest breaks a rule; the exception names the field.</exception>
    public static void Validate(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        CheckSchemaVersion(manifest.SchemaVersion);
        CheckManifestMediaType(manifest.MediaType);

        CheckOptionalMediaType(manifest.ArtifactType, "artifactType");
        ValidateDescriptor(Required(manifest.Config, "config"), "config");

        // An empty list is accepted: image-spec 1.1 says layers SHOULD (not MUST) have an entry, though
        // its JSON schema still has minItems 1 (image-spec#1058), and `FROM scratch` images with only
        // metadata are published with "layers": [] in both Docker and OCI media types.
        ValidateDescriptors(Required(manifest.Layers, "layers"), "layers");
        if (manifest.Subject is not null)
        {
            ValidateDescriptor(manifest.Subject, "subject");
        }

        CheckAnnotations(manifest.Annotations, "annotations");
    }

    /// <summary>Checks an image index (OCI index or Docker manifest list).</summary>
    /// <exception cref="InvalidSpecException">The index breaks a rule; the exception names the field.</exception>
    public static void Validate(ImageIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        CheckSchemaVersion(index.SchemaVersion);
        CheckIndexMediaType(index.MediaType);

        CheckOptionalMediaType(index.ArtifactType, "artifactType");
        ValidateDescriptors(Required(index.Manifests, "manifests"), "manifests");
        if (index.Subject is not null)
        {
            ValidateDescriptor(index.Subject, "subject");
        }

        CheckAnnotations(index.Annotations, "annotations");
    }

    /// <summary>Checks an image config.</summary>
    /// <exception cref="InvalidSpecException">The config breaks a rule; the exception names the field.</exception>
    public static void Validate(ImageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        CheckDateTime(config.Created, "created");
        CheckNotEmpty(config.Architecture, "architecture");
        CheckNotEmpty(config.OS, "os");
        RootFs rootFs = Required(config.RootFs, "rootfs");
        if (rootFs.Type != RootFs.LayersType)
        {
            throw new InvalidSpecException("rootfs.type", $"must be \"{RootFs.LayersType}\"");
        }

        IList<Digest> diffIds = Required(rootFs.DiffIds, "rootfs.diff_ids");
        for (int i = 0; i < diffIds.Count; i++)
        {
            if (diffIds[i].IsEmpty)
            {
                throw new InvalidSpecException(Index("rootfs.diff_ids", i), "required digest is empty");
            }
        }

        if (config.History is { } history)
        {
            for (int i = 0; i < history.Count; i++)
            {
                HistoryEntry entry = Required(history[i], Index("history", i));
                CheckDateTime(entry.Created, Index("history", i) + ".created");
            }
        }
    }

    /// <summary>Checks the <c>oci-layout</c> file.</summary>
    /// <exception cref="InvalidSpecException">The layout version is not <see cref="ImageLayout.CurrentVersion"/>.</exception>
    public static void Validate(ImageLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.ImageLayoutVersion != ImageLayout.CurrentVersion)
        {
            throw new InvalidSpecException("imageLayoutVersion", $"must be \"{ImageLayout.CurrentVersion}\"");
        }
    }

    /// <summary>Checks a descriptor found at <paramref name="jsonPath"/> (empty for a document of its own).</summary>
    /// <exception cref="InvalidSpecException">The descriptor breaks a rule; the exception names the field.</exception>
    public static void ValidateDescriptor(Descriptor descriptor, string jsonPath = "")
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(jsonPath);
        CheckMediaType(descriptor.MediaType, Field(jsonPath, "mediaType"));
        if (descriptor.Digest.IsEmpty)
        {
            throw new InvalidSpecException(Field(jsonPath, "digest"), "required field is missing");
        }

        if (descriptor.Size < 0)
        {
            throw new InvalidSpecException(Field(jsonPath, "size"), "must not be negative");
        }

        if (descriptor.Urls is { } urls)
        {
            for (int i = 0; i < urls.Count; i++)
            {
                if (!Uri.TryCreate(urls[i], UriKind.Absolute, out _))
                {
                    throw new InvalidSpecException(Index(Field(jsonPath, "urls"), i), "must be an absolute URI");
                }
            }
        }

        if (descriptor.Data is { } data)
        {
            if (data.LongLength != descriptor.Size)
            {
                throw new InvalidSpecException(Field(jsonPath, "data"), string.Create(CultureInfo.InvariantCulture, $"holds {data.LongLength} bytes but size is {descriptor.Size}"));
            }

            if (!descriptor.Digest.Matches(data))
            {
                throw new InvalidSpecException(Field(jsonPath, "data"), $"does not hash to {descriptor.Digest}");
            }
        }

        CheckOptionalMediaType(descriptor.ArtifactType, Field(jsonPath, "artifactType"));
        CheckAnnotations(descriptor.Annotations, Field(jsonPath, "annotations"));
        if (descriptor.Platform is { } platform)
        {
            ValidatePlatform(platform, Field(jsonPath, "platform"));
        }
    }

    /// <summary>Checks a platform found at <paramref name="jsonPath"/>: architecture and os are required.</summary>
    /// <exception cref="InvalidSpecException">A required field is empty.</exception>
    public static void ValidatePlatform(Platform platform, string jsonPath = "")
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(jsonPath);
        CheckNotEmpty(platform.Architecture, Field(jsonPath, "architecture"));
        CheckNotEmpty(platform.OS, Field(jsonPath, "os"));
    }

    /// <summary>True when <paramref name="mediaType"/> is a <c>type/subtype</c> media type as RFC 6838 §4.2 names them.</summary>
    public static bool IsValidMediaType(string? mediaType) => mediaType is not null && MediaTypePattern().IsMatch(mediaType);

    internal static void CheckManifestMediaType(string? mediaType)
    {
        if (mediaType is not null && !MediaTypes.IsManifest(mediaType))
        {
            throw WrongDocumentMediaType(mediaType, "a manifest", MediaTypes.ImageManifest, MediaTypes.DockerManifest);
        }
    }

    internal static void CheckIndexMediaType(string? mediaType)
    {
        if (mediaType is not null && !MediaTypes.IsIndex(mediaType))
        {
            throw WrongDocumentMediaType(mediaType, "an index", MediaTypes.ImageIndex, MediaTypes.DockerManifestList);
        }
    }

    private static void ValidateDescriptors(IList<Descriptor> descriptors, string jsonPath)
    {
        for (int i = 0; i < descriptors.Count; i++)
        {
            string path = Index(jsonPath, i);
            ValidateDescriptor(Required(descriptors[i], path), path);
        }
    }

    private static void CheckSchemaVersion(int schemaVersion)
    {
        if (schemaVersion != SchemaVersion)
        {
            throw new InvalidSpecException("schemaVersion", string.Create(CultureInfo.InvariantCulture, $"must be {SchemaVersion}, got {schemaVersion}"));
        }
    }

    private static InvalidSpecException WrongDocumentMediaType(string mediaType, string kind, string oci, string docker)
    {
        string? actual = MediaTypes.IsManifest(mediaType) ? "a manifest's"
            : MediaTypes.IsIndex(mediaType) ? "an index's"
            : MediaTypes.IsConfig(mediaType) ? "a config's"
            : null;
        string what = actual is null ? $"is not {kind} media type" : $"is {actual} media type, not {kind}'s";
        return new InvalidSpecException("mediaType", $"\"{mediaType}\" {what}; expected \"{oci}\" or \"{docker}\"");
    }

    private static void CheckMediaType(string? mediaType, string jsonPath)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            throw new InvalidSpecException(jsonPath, "required field is missing or empty");
        }

        if (!IsValidMediaType(mediaType))
        {
            throw new InvalidSpecException(jsonPath, $"\"{mediaType}\" is not a type/subtype media type (RFC 6838)");
        }
    }

    private static void CheckOptionalMediaType(string? mediaType, string jsonPath)
    {
        if (mediaType is not null)
        {
            CheckMediaType(mediaType, jsonPath);
        }
    }

    private static void CheckAnnotations(IDictionary<string, string>? annotations, string jsonPath)
    {
        if (annotations is not null && annotations.Keys.Any(key => key.Length == 0))
        {
            throw new InvalidSpecException(jsonPath, "keys must not be empty");
        }
    }

    private static void CheckNotEmpty(string? value, string jsonPath)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidSpecException(jsonPath, "required field is missing or empty");
        }
    }

    private static void CheckDateTime(string? value, string jsonPath)
    {
        if (value is null)
        {
            return;
        }

        Match match = DateTimePattern().Match(value);
        if (!match.Success || !DateTime.TryParseExact(match.Groups["date"].Value.ToUpperInvariant(), "yyyy'-'MM'-'dd'T'HH':'mm':'ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw new InvalidSpecException(jsonPath, $"\"{value}\" is not an RFC 3339 date-time");
        }
    }

    private static T Required<T>(T? value, string jsonPath)
        where T : class => value ?? throw new InvalidSpecException(jsonPath, "required field is missing or null");

    private static string Field(string jsonPath, string name) => jsonPath.Length == 0 ? name : jsonPath + "." + name;

    private static string Index(string jsonPath, int index) => string.Create(CultureInfo.InvariantCulture, $"{jsonPath}[{index}]");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaTypePattern();

    // RFC 3339 section 5.6; the seconds fraction may be longer than .NET keeps (Go writes nanoseconds).
    [GeneratedRegex("^(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DateTimePattern();
}
