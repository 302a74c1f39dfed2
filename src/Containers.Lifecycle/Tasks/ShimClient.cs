using System.Net.Sockets;
using System.Text.Json;
using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tasks;

/// <summary>
/// Talks to one shim over its unix socket (docs/shim-protocol.md): one connection per call, so a
/// long wait never holds up other calls and cancelling a call just closes its connection.
/// </summary>
internal sealed class ShimClient(string directory)
{
    /// <summary>The shim's state directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>Sends <paramref name="request"/> and returns the successful answer.</summary>
    /// <exception cref="ShimException">The shim is gone (<see cref="ShimFailure.Unavailable"/>) or failed.</exception>
    /// <exception cref="NotFoundException">No such task or exec.</exception>
    /// <exception cref="AlreadyExistsException">The task or exec exists.</exception>
    /// <exception cref="FailedPreconditionException">The process is in the wrong state.</exception>
    /// <exception cref="InvalidSpecException">A field of the request is invalid.</exception>
    /// <exception cref="UnsupportedException">The shim does not support the request.</exception>
    public async ValueTask<ShimResponse> CallAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        ShimResponse response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Error is null)
        {
            return response;
        }

        string message = response.Message ?? response.Error;
        throw response.Error switch
        {
            ShimErrorKind.NotFound => new NotFoundException(request.ExecId is null ? "task" : "exec", request.ExecId ?? request.Id ?? string.Empty),
            ShimErrorKind.AlreadyExists => new AlreadyExistsException(request.ExecId is null ? "task" : "exec", request.ExecId ?? request.Id ?? string.Empty),
            ShimErrorKind.FailedPrecondition => new FailedPreconditionException(message),
            ShimErrorKind.InvalidArgument => InvalidArgument(message),
            ShimErrorKind.Unsupported => new UnsupportedException(message),
            ShimErrorKind.RuntimeFailed => new ShimException(ShimFailure.RuntimeFailed, message),
            _ => new ShimException(ShimFailure.Internal, message),
        };
    }

    private async ValueTask<ShimResponse> SendAsync(ShimRequest request, CancellationToken cancellationToken)
    {
        using Socket socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(ShimPaths.Socket(Directory)), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new ShimException(ShimFailure.Unavailable, $"the shim in {Directory} does not answer: {ex.Message}", new ShimNotReachedException(ex));
        }

        using NetworkStream stream = new(socket, ownsSocket: false);
        byte[] frame = ShimFraming.Frame(JsonSerializer.SerializeToUtf8Bytes(request, ShimJsonContext.Default.ShimRequest));
        byte[] header = new byte[ShimFraming.HeaderLength];
        try
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            int length = ShimFraming.ReadLength(header);
            if (length < 0)
            {
                throw new ShimException(ShimFailure.Internal, $"the shim in {Directory} sent a frame of an invalid length");
            }

            byte[] payload = new byte[length];
            await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(payload, ShimJsonContext.Default.ShimResponse)
                ?? throw new ShimException(ShimFailure.Internal, $"the shim in {Directory} sent an empty answer");
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or SocketException)
        {
            throw new ShimException(ShimFailure.Unavailable, $"the shim in {Directory} closed the connection without answering: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            throw new ShimException(ShimFailure.Internal, $"the shim in {Directory} sent an invalid answer: {ex.Message}", ex);
        }
    }

    private static InvalidSpecException InvalidArgument(string message)
    {
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? new InvalidSpecException(message[..colon], message[(colon + 2)..]) : new InvalidSpecException("request", message);
    }
}
