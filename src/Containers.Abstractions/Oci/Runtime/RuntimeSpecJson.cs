namespace Containers.Oci.Runtime;

/// <summary>
/// Reads and writes runtime-spec documents. Reads are bounded (<see cref="OciJson.DefaultMaxDocumentBytes"/>),
/// parse errors name the bad field, and a parsed <see cref="Spec"/> has passed <see cref="SpecValidator"/>.
/// </summary>
public static class RuntimeSpecJson
{
    /// <summary>Parses and validates a config.json held in memory.</summary>
    /// <param name="utf8Json">The document, UTF-8.</param>
    /// <returns>The validated spec.</returns>
    /// <exception cref="InvalidSpecException">The document is malformed or breaks a rule; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The document is larger than 4 MiB.</exception>
    public static Spec ParseSpec(ReadOnlySpan<byte> utf8Json)
    {
        // The common fields first, without the serializer's metadata (see SpecFastReader); the serializer
        // reads everything else and gives every error.
        Spec spec = (utf8Json.Length <= OciJson.DefaultMaxDocumentBytes ? SpecFastReader.TryRead(utf8Json) : null)
            ?? OciJson.Deserialize(utf8Json, RuntimeSpecJsonContext.Default.Spec);
        SpecValidator.Validate(spec);
        return spec;
    }

    /// <summary>Reads, parses and validates a config.json from a stream.</summary>
    /// <param name="stream">The stream, read to its end.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The validated spec.</returns>
    /// <exception cref="InvalidSpecException">The document is malformed or breaks a rule; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The stream holds more than 4 MiB.</exception>
    public static async Task<Spec> ReadSpecAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        Spec spec = await OciJson.ReadAsync(stream, RuntimeSpecJsonContext.Default.Spec, cancellationToken: cancellationToken).ConfigureAwait(false);
        SpecValidator.Validate(spec);
        return spec;
    }

    /// <summary>Reads, parses and validates a config.json file, e.g. <c>bundle/config.json</c>.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The validated spec.</returns>
    /// <exception cref="InvalidSpecException">The document is malformed or breaks a rule; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The file is larger than 4 MiB.</exception>
    public static async Task<Spec> ReadSpecFileAsync(string path, CancellationToken cancellationToken = default)
    {
        Spec spec = await OciJson.ReadFileAsync(path, RuntimeSpecJsonContext.Default.Spec, cancellationToken: cancellationToken).ConfigureAwait(false);
        SpecValidator.Validate(spec);
        return spec;
    }

    /// <summary>Parses a state document (the output of <c>runc state</c>).</summary>
    /// <param name="utf8Json">The document, UTF-8.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidSpecException">The document is malformed; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The document is larger than 4 MiB.</exception>
    public static State ParseState(ReadOnlySpan<byte> utf8Json) => OciJson.Deserialize(utf8Json, RuntimeSpecJsonContext.Default.State);

    /// <summary>Parses a features document (the output of <c>runc features</c>).</summary>
    /// <param name="utf8Json">The document, UTF-8.</param>
    /// <returns>The features.</returns>
    /// <exception cref="InvalidSpecException">The document is malformed; the exception names the field.</exception>
    /// <exception cref="SizeLimitExceededException">The document is larger than 4 MiB.</exception>
    public static Features ParseFeatures(ReadOnlySpan<byte> utf8Json) => OciJson.Deserialize(utf8Json, RuntimeSpecJsonContext.Default.Features);

    /// <summary>Writes a spec as indented UTF-8 JSON, omitting unset fields. The spec is not validated, so a partial spec can be written.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The document.</returns>
    public static byte[] Serialize(Spec spec) => OciJson.SerializeToUtf8Bytes(spec, RuntimeSpecJsonContext.Default.Spec);

    /// <summary>Writes a state document as indented UTF-8 JSON.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The document.</returns>
    public static byte[] Serialize(State state) => OciJson.SerializeToUtf8Bytes(state, RuntimeSpecJsonContext.Default.State);

    /// <summary>Writes a features document as indented UTF-8 JSON.</summary>
    /// <param name="features">The features.</param>
    /// <returns>The document.</returns>
    public static byte[] Serialize(Features features) => OciJson.SerializeToUtf8Bytes(features, RuntimeSpecJsonContext.Default.Features);
}
