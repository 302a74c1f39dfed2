using System.Text.Json;

namespace Containers.Linux.Json;

/// <summary>
/// The field-level steps of the hand-written JSON on a fresh process's path (the shim's <c>ShimJsonCodec</c>, runcs's
/// state.json reader and writer), which stand in for the source-generated serializer there: written the way that
/// serializer writes a field (left out when null, or when the type's default under <c>WhenWritingDefault</c>), and
/// read with its token rules (a wrong token type or an out-of-range number is a <see cref="JsonException"/>).
/// </summary>
internal static class JsonFields
{
    /// <summary>Writes the string unless it is null.</summary>
    public static void WriteIfSet(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>Writes the number unless it is null.</summary>
    public static void WriteIfSet(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is long number)
        {
            writer.WriteNumber(name, number);
        }
    }

    /// <summary>Writes the number unless it is null.</summary>
    public static void WriteIfSet(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong? value)
    {
        if (value is ulong number)
        {
            writer.WriteNumber(name, number);
        }
    }

    /// <summary>Writes the flag unless it is null.</summary>
    public static void WriteIfSet(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is bool flag)
        {
            writer.WriteBoolean(name, flag);
        }
    }

    /// <summary>Writes the number unless it is 0 (<c>WhenWritingDefault</c>).</summary>
    public static void WriteIfNotDefault(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value) => writer.WriteIfSet(name, value == 0 ? null : value);

    /// <summary>Writes the number unless it is 0 (<c>WhenWritingDefault</c>).</summary>
    public static void WriteIfNotDefault(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong value) => writer.WriteIfSet(name, value == 0 ? null : value);

    /// <summary>Writes the flag unless it is false (<c>WhenWritingDefault</c>).</summary>
    public static void WriteIfNotDefault(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool value) => writer.WriteIfSet(name, value ? true : null);

    /// <summary>Writes the list as an array of whatever <paramref name="item"/> writes for each element, unless it is null.</summary>
    public static void WriteArrayIfSet<T>(this Utf8JsonWriter writer, ReadOnlySpan<byte> name, IList<T>? items, Action<Utf8JsonWriter, T> item)
    {
        if (items is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        for (int i = 0; i < items.Count; i++)
        {
            item(writer, items[i]);
        }

        writer.WriteEndArray();
    }

    /// <summary>Moves to the value of the property just read: a string, or null.</summary>
    /// <exception cref="JsonException">Another token.</exception>
    public static string? NextString(this ref Utf8JsonReader reader)
        => Advance(ref reader) == JsonTokenType.Null ? null
            : reader.TokenType == JsonTokenType.String ? reader.GetString() : throw Expected("a string", reader.TokenType);

    /// <summary>Moves to the value of the property just read: a 32-bit integer.</summary>
    /// <exception cref="JsonException">Another token, or a number out of range.</exception>
    public static int NextInt32(this ref Utf8JsonReader reader)
        => Advance(ref reader) == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw Expected("a 32-bit integer", reader.TokenType);

    /// <summary>Moves to the value of the property just read: a 64-bit integer.</summary>
    /// <exception cref="JsonException">Another token, or a number out of range.</exception>
    public static long NextInt64(this ref Utf8JsonReader reader) => Int64(ref reader, Advance(ref reader));

    /// <summary>Moves to the value of the property just read: an unsigned 64-bit integer.</summary>
    /// <exception cref="JsonException">Another token, or a number out of range.</exception>
    public static ulong NextUInt64(this ref Utf8JsonReader reader) => UInt64(ref reader, Advance(ref reader));

    /// <summary>Moves to the value of the property just read: true or false.</summary>
    /// <exception cref="JsonException">Another token.</exception>
    public static bool NextBoolean(this ref Utf8JsonReader reader) => Boolean(Advance(ref reader));

    /// <summary>Moves to the value of the property just read: a 64-bit integer, or null.</summary>
    /// <exception cref="JsonException">Another token, or a number out of range.</exception>
    public static long? NextNullableInt64(this ref Utf8JsonReader reader)
        => Advance(ref reader) is JsonTokenType.Null ? null : Int64(ref reader, reader.TokenType);

    /// <summary>Moves to the value of the property just read: an unsigned 64-bit integer, or null.</summary>
    /// <exception cref="JsonException">Another token, or a number out of range.</exception>
    public static ulong? NextNullableUInt64(this ref Utf8JsonReader reader)
        => Advance(ref reader) is JsonTokenType.Null ? null : UInt64(ref reader, reader.TokenType);

    /// <summary>Moves to the value of the property just read: true, false or null.</summary>
    /// <exception cref="JsonException">Another token.</exception>
    public static bool? NextNullableBoolean(this ref Utf8JsonReader reader)
        => Advance(ref reader) is JsonTokenType.Null ? null : Boolean(reader.TokenType);

    private static JsonTokenType Advance(ref Utf8JsonReader reader)
    {
        _ = reader.Read();
        return reader.TokenType;
    }

    private static long Int64(ref Utf8JsonReader reader, JsonTokenType token)
        => token == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : throw Expected("a 64-bit integer", token);

    private static ulong UInt64(ref Utf8JsonReader reader, JsonTokenType token)
        => token == JsonTokenType.Number && reader.TryGetUInt64(out ulong value) ? value : throw Expected("an unsigned 64-bit integer", token);

    private static bool Boolean(JsonTokenType token)
        => token switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Expected("true or false", token),
        };

    private static JsonException Expected(string what, JsonTokenType token) => new($"{what} was expected, not {token}");
}
