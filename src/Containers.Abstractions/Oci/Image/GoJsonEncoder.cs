using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Containers.Oci.Image;

/// <summary>
/// Escapes strings exactly as Go's <c>encoding/json</c> does (what containerd, Docker, BuildKit, umoci
/// and skopeo write): only <c>"</c>, <c>\</c>, control characters, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c>,
/// U+2028 and U+2029, with lower-case hex. So a document built here has the same bytes, and the same
/// digest, as the one Go tools write for it; the default encoder would also escape <c>+</c>, as in
/// <c>v1\u002Bjson</c>.
/// </summary>
internal sealed class GoJsonEncoder : JavaScriptEncoder
{
    private const string Hex = "0123456789abcdef";

    private GoJsonEncoder()
    {
    }

    public static GoJsonEncoder Instance { get; } = new();

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar is '"' or '\\' or '<' or '>' or '&' or 0x2028 or 0x2029;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        ReadOnlySpan<char> span = new(text, textLength);
        int i = 0;
        while (i < span.Length)
        {
            if (Rune.DecodeFromUtf16(span[i..], out Rune rune, out int consumed) != OperationStatus.Done || WillEncode(rune.Value))
            {
                return i;
            }

            i += consumed;
        }

        return -1;
    }

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        int i = 0;
        while (i < utf8Text.Length)
        {
            if (Rune.DecodeFromUtf8(utf8Text[i..], out Rune rune, out int consumed) != OperationStatus.Done || WillEncode(rune.Value))
            {
                return i;
            }

            i += consumed;
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        Span<char> destination = new(buffer, bufferLength);
        string? escape = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ when WillEncode(unicodeScalar) => string.Create(CultureInfo.InvariantCulture, $"\\u{Hex[(unicodeScalar >> 12) & 0xF]}{Hex[(unicodeScalar >> 8) & 0xF]}{Hex[(unicodeScalar >> 4) & 0xF]}{Hex[unicodeScalar & 0xF]}"),
            _ => null,
        };
        if (escape is not null)
        {
            numberOfCharactersWritten = escape.TryCopyTo(destination) ? escape.Length : 0;
            return numberOfCharactersWritten != 0;
        }

        // Not escaped: the character itself (Go writes any valid UTF-8 as is).
        if (!Rune.TryCreate(unicodeScalar, out Rune rune))
        {
            rune = Rune.ReplacementChar;
        }

        return rune.TryEncodeToUtf16(destination, out numberOfCharactersWritten);
    }
}
