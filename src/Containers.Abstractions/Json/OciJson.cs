using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Containers.Oci;

/// <summary>
/// Bounded, NativeAOT-safe reading and writing of OCI JSON documents. Every parse error becomes an
/// <see cref="InvalidSpecException"/> whose <see cref="InvalidSpecException.JsonPath"/> names the
/// bad field; documents larger than the bound are refused before they are parsed.
/// </summary>
public static partial class OciJson
{
    /// <summary>The default bound for one document: 4 MiB, as containerd bounds manifests.</summary>
    public const int DefaultMaxDocumentBytes = 4 * 1024 * 1024;

    /// <summary>Parses a document from UTF-8 bytes.</summary>
    /// <exception cref="InvalidSpecException">The document is malformed; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The document is larger than <paramref name="maxBytes"/>.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo, long maxBytes = DefaultMaxDocumentBytes)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (utf8Json.Length > maxBytes)
        {
            throw new SizeLimitExceededException(DocumentName(typeInfo), maxBytes);
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize(utf8Json, typeInfo);
        }
        catch (JsonException ex)
        {
            throw ToSpecException(ex);
        }

        return value ?? throw new InvalidSpecException(string.Empty, "expected object, got null");
    }

    /// <summary>Reads a whole document from a stream, refusing it once it passes <paramref name="maxBytes"/>.</summary>
    /// <exception cref="InvalidSpecException">The document is malformed; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The stream holds more than <paramref name="maxBytes"/> bytes.</exception>
    public static async Task<T> ReadAsync<T>(Stream stream, JsonTypeInfo<T> typeInfo, long maxBytes = DefaultMaxDocumentBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(typeInfo);
        byte[] buffer = await ReadBoundedAsync(stream, maxBytes, DocumentName(typeInfo), cancellationToken).ConfigureAwait(false);
        return Deserialize(buffer, typeInfo, maxBytes);
    }

    /// <summary>Reads a file and parses it, with the same bound and errors as <see cref="ReadAsync{T}"/>.</summary>
    public static async Task<T> ReadFileAsync<T>(string path, JsonTypeInfo<T> typeInfo, long maxBytes = DefaultMaxDocumentBytes, CancellationToken cancellationToken = default)
    {
        FileStream stream = new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
        await using (stream.ConfigureAwait(false))
        {
            return await ReadAsync(stream, typeInfo, maxBytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Serialises a document to UTF-8 bytes.</summary>
    public static byte[] SerializeToUtf8Bytes<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    /// <summary>Reads a stream to its end into one array, failing as soon as it passes <paramref name="maxBytes"/>.</summary>
    /// <param name="stream">The stream to read.</param>
    /// <param name="maxBytes">The largest accepted length.</param>
    /// <param name="what">What is being read, for the error message.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="SizeLimitExceededException">The stream is longer than <paramref name="maxBytes"/>.</exception>
    public static async Task<byte[]> ReadBoundedAsync(Stream stream, long maxBytes, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (stream.CanSeek && stream.Length - stream.Position > maxBytes)
        {
            throw new SizeLimitExceededException(what, maxBytes);
        }

        ArrayBufferWriter<byte> output = new(stream.CanSeek ? (int)Math.Max(1, stream.Length - stream.Position) : 16 * 1024);
        while (true)
        {
            Memory<byte> chunk = output.GetMemory(16 * 1024);
            int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return output.WrittenSpan.ToArray();
            }

            output.Advance(read);
            if (output.WrittenCount > maxBytes)
            {
                throw new SizeLimitExceededException(what, maxBytes);
            }
        }
    }

    /// <summary>Turns a System.Text.Json error into an <see cref="InvalidSpecException"/> that names the field.</summary>
    public static InvalidSpecException ToSpecException(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string path = TrimPath(exception.Path);
        string message = exception.Message;

        Match missing = MissingRequiredPattern().Match(message);
        if (missing.Success)
        {
            string property = missing.Groups["name"].Value;
            return new InvalidSpecException(path.Length == 0 ? property : path + "." + property, "required field is missing", exception);
        }

        // The field's own type, when the outer text names it ("expected integer"); with `required`
        // members it names the containing type instead, and the inner exception is more precise.
        Match convert = ConvertPattern().Match(message);
        string? expected = convert.Success ? DescribeType(convert.Groups["type"].Value) : null;
        if (expected is not null && !expected.StartsWith("object (", StringComparison.Ordinal) && exception.InnerException is not FormatException)
        {
            return new InvalidSpecException(path, "expected " + expected, exception);
        }

        switch (exception.InnerException)
        {
            case InvalidOperationException inner when TokenPattern().Match(inner.Message) is { Success: true } token:
                return new InvalidSpecException(path, $"expected {ExpectedFromReaderType(token.Groups["want"].Value)}, got {token.Groups["got"].Value.ToLowerInvariant()}", exception);
            case FormatException when message.Contains("System.Byte[]", StringComparison.Ordinal):
                return new InvalidSpecException(path, "expected base64 string", exception);
            case FormatException:
                return new InvalidSpecException(path, "value has the wrong format", exception);
            case { } inner when inner.GetType().Name == "JsonReaderException":
                {
                    // Syntax errors: the reader's own text, without the position suffix, plus a 1-based line.
                    int cut = inner.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
                    string reason = (cut > 0 ? inner.Message[..cut] : inner.Message).TrimEnd('.', ' ');
                    long line = (exception.LineNumber ?? 0) + 1;
                    long column = exception.BytePositionInLine ?? 0;
                    return new InvalidSpecException(path, string.Create(CultureInfo.InvariantCulture, $"malformed JSON at line {line}, byte {column}: {reason}"), exception);
                }
        }

        return expected is not null
            ? new InvalidSpecException(path, "expected " + expected, exception)
            : new InvalidSpecException(path, message, exception);
    }

    private static string DescribeType(string clrType)
    {
        string name = clrType;
        int generic = name.IndexOf('`', StringComparison.Ordinal);
        if (generic >= 0)
        {
            name = name[..generic];
        }

        if (name.StartsWith("System.Nullable", StringComparison.Ordinal))
        {
            int open = clrType.IndexOf("[[", StringComparison.Ordinal);
            if (open >= 0)
            {
                int comma = clrType.IndexOf(',', open);
                name = clrType[(open + 2)..(comma < 0 ? clrType.Length : comma)];
            }
        }

        return name switch
        {
            "System.Int16" or "System.Int32" or "System.Int64" or "System.SByte" => "integer",
            "System.UInt16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "non-negative integer",
            "System.Double" or "System.Single" or "System.Decimal" => "number",
            "System.String" => "string",
            "System.Boolean" => "boolean",
            "System.Collections.Generic.List" or "System.Collections.Generic.IList" or "System.Collections.Generic.IReadOnlyList" => "array",
            "System.Collections.Generic.Dictionary" or "System.Collections.Generic.IDictionary" or "System.Collections.Generic.IReadOnlyDictionary" => "object",
            _ when name.EndsWith("[]", StringComparison.Ordinal) => "array",
            _ => "object (" + name[(name.LastIndexOf('.') + 1)..] + ")",
        };
    }

    private static string TrimPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return string.Empty;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private static string DocumentName<T>(JsonTypeInfo<T> typeInfo) => typeInfo.Type.Name;

    private static string ExpectedFromReaderType(string readerType) => readerType switch
    {
        "string" => "string",
        "number" => "number",
        "boolean" => "boolean",
        "comment" => "value",
        _ => readerType,
    };

    [GeneratedRegex(@"Cannot get the value of a token type '(?<got>\w+)' as a (?<want>\w+)", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"could not be converted to (?<type>[^\s]+?)\.(?:\s|$)", RegexOptions.CultureInvariant)]
    private static partial Regex ConvertPattern();

    [GeneratedRegex(@"missing required properties(?: including)?: '(?<name>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex MissingRequiredPattern();
}
