using System.Buffers;
using System.Text.Encodings.Web;

namespace Containers.Runc.State;

/// <summary>
/// A <see cref="JavaScriptEncoder"/> that only answers "nothing to escape" for text the default
/// encoder leaves as it is (printable ASCII other than <c>" &amp; ' + &lt; &gt; \ `</c>), without touching
/// <see cref="JavaScriptEncoder.Default"/>: Utf8JsonWriter asks the default encoder about every string
/// when it has none, and building that encoder's tables was about 0.17 ms of every runcs run that
/// writes state.json. When a string does need escaping it notes so in <see cref="EscapingNeeded"/> and
/// defers to the default encoder; <see cref="ContainerRecordWriter"/> then writes the record again
/// without it, so the bytes are always the serializer's.
/// </summary>
internal sealed class PlainAsciiJsonEncoder : JavaScriptEncoder
{
    /// <summary>Whether any text asked about needed escaping (or the encoder was asked anything else).</summary>
    public bool EscapingNeeded { get; private set; }

    /// <inheritdoc/>
    public override int MaxOutputCharactersPerInputCharacter => Slow().MaxOutputCharactersPerInputCharacter;

    /// <inheritdoc/>
    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            if (!IsPlain(text[i]))
            {
                EscapingNeeded = true;
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc/>
    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        for (int i = 0; i < utf8Text.Length; i++)
        {
            if (!IsPlain((char)utf8Text[i]))
            {
                EscapingNeeded = true;
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc/>
    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
        => Slow().TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);

    /// <inheritdoc/>
    public override bool WillEncode(int unicodeScalar) => unicodeScalar > char.MaxValue || !IsPlain((char)unicodeScalar) ? Slow().WillEncode(unicodeScalar) : false;

    /// <inheritdoc/>
    public override OperationStatus EncodeUtf8(ReadOnlySpan<byte> utf8Source, Span<byte> utf8Destination, out int bytesConsumed, out int bytesWritten, bool isFinalBlock = true)
        => Slow().EncodeUtf8(utf8Source, utf8Destination, out bytesConsumed, out bytesWritten, isFinalBlock);

    /// <inheritdoc/>
    public override OperationStatus Encode(ReadOnlySpan<char> source, Span<char> destination, out int charsConsumed, out int charsWritten, bool isFinalBlock = true)
        => Slow().Encode(source, destination, out charsConsumed, out charsWritten, isFinalBlock);

    // What JavaScriptEncoder.Default passes through unchanged in the ASCII range: it allows Basic Latin
    // minus the control characters, the HTML-sensitive " & ' < > + and the backslash and backtick.
    private static bool IsPlain(char c) => c is >= ' ' and <= '~' and not ('"' or '&' or '\'' or '<' or '>' or '+' or '\\' or '`');

    private JavaScriptEncoder Slow()
    {
        EscapingNeeded = true;
        return Default;
    }
}
