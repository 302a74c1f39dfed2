using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>
/// Reads and writes a Go-style string set, <c>{"a": {}, "b": {}}</c>, as an <see cref="ISet{T}"/>
/// (image config <c>ExposedPorts</c> and <c>Volumes</c>).
/// </summary>
/// <remarks>Keys are kept ordinal-sorted because Go writes map keys sorted; re-serialising then yields the bytes Docker and BuildKit produce.</remarks>
internal sealed class StringSetJsonConverter : JsonConverter<ISet<string>>
{
    public override ISet<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("expected object (a set: {\"key\": {}})");
        }

        SortedSet<string> set = new(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("expected object (a set member's value is {})");
            }

            reader.Skip();
            set.Add(key);
        }

        return set;
    }

    public override void Write(Utf8JsonWriter writer, ISet<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (string key in value.Order(StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
