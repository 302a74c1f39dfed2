using System.Text;

namespace Containers.Samples.ExecLogs;

/// <summary>A write-only stream that prints each complete line to the console behind a prefix, as it arrives.</summary>
internal sealed class LinePrefixStream(string prefix) : Stream
{
    private readonly StringBuilder _line = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Span<char> chars = stackalloc char[Encoding.UTF8.GetMaxCharCount(Math.Min(buffer.Length, 1024))];
        // The copies of a task's stdout and stderr may write at once: one line at a time reaches the console.
        lock (_line)
        {
            while (!buffer.IsEmpty)
            {
                ReadOnlySpan<byte> part = buffer[..Math.Min(buffer.Length, 1024)];
                int n = _decoder.GetChars(part, chars, flush: false);
                buffer = buffer[part.Length..];
                foreach (char c in chars[..n])
                {
                    if (c == '\n')
                    {
                        Console.WriteLine(prefix + _line);
                        _line.Clear();
                    }
                    else
                    {
                        _line.Append(c);
                    }
                }
            }
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
