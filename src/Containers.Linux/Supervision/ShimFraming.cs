using System.Buffers.Binary;

namespace Containers.Linux.Supervision;

/// <summary>
/// Frames of the shim protocol: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.
/// </summary>
internal static class ShimFraming
{
    /// <summary>The largest frame either side accepts; a longer length closes the connection.</summary>
    public const int MaxFrameLength = 1 << 20;

    /// <summary>The frame header size.</summary>
    public const int HeaderLength = 4;

    /// <summary>Frames a JSON payload.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>Reads a header; -1 when the length is out of bounds.</summary>
    public static int ReadLength(ReadOnlySpan<byte> header)
    {
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        return length is < 0 or > MaxFrameLength ? -1 : length;
    }
}
