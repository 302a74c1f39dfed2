using System.IO.Pipes;
using System.Text;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>A stdin stream for a process that the test writes to as it goes (an anonymous pipe); disposing it ends the input.</summary>
internal sealed class InputFeeder : IDisposable
{
    private readonly AnonymousPipeServerStream _writer = new(PipeDirection.Out);

    public InputFeeder() => Stream = new AnonymousPipeClientStream(PipeDirection.In, _writer.ClientSafePipeHandle);

    /// <summary>The stream to give as <c>ProcessIO.Stdin</c>.</summary>
    public Stream Stream { get; }

    public async Task WriteAsync(string text)
    {
        await _writer.WriteAsync(Encoding.UTF8.GetBytes(text));
        await _writer.FlushAsync();
    }

    public void Dispose()
    {
        _writer.Dispose();
        Stream.Dispose();
    }
}
