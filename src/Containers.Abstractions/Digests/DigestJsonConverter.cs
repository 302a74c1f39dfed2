using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers;

/// <summary>Reads and writes <see cref="Digest"/> as its string form, rejecting invalid digests.</summary>
public sealed class DigestJsonConverter : JsonConverter<Digest>
{
    /// <inheritdoc />
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected string");
        }

        string text = reader.GetString()!;
        return Digest.TryParse(text, out Digest digest, out string? error)
            ? digest
            : throw new JsonException(new InvalidDigestException(text, error).Message);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
