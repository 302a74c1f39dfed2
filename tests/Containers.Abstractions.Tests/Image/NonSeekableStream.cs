namespace Containers.Abstractions.Tests.Image;

/// <summary>A read-only stream that hides its length, as a network response does.</summary>
internal sealed class NonSeekableStream(byte[] content) : MemoryStream(content, writable: false)
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }
}
