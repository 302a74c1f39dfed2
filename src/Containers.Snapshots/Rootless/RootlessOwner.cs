namespace Containers.Snapshots.Rootless;

/// <summary>
/// The <c>user.rootlesscontainers</c> xattr (github.com/rootless-containers/proto): a protobuf
/// <c>message Resource { uint32 uid = 1; uint32 gid = 2; }</c> holding the owner a rootless unpack could not set.
/// <see cref="NoopId"/> (2^32−1) means "the owner on disk"; proto3 leaves a 0 field out, so an absent field is 0.
/// </summary>
internal static class RootlessOwner
{
    /// <summary>The xattr's name.</summary>
    public const string XattrName = "user.rootlesscontainers";

    /// <summary>The id that means "keep the owner on disk".</summary>
    public const uint NoopId = uint.MaxValue;

    /// <summary>
    /// Encodes a resource as Go's protobuf does (fields in number order, zero fields left out), so the bytes equal
    /// umoci's; null when both ids are <see cref="NoopId"/> (umoci then writes no xattr).
    /// </summary>
    public static byte[]? Encode(uint uid, uint gid)
    {
        if (uid == NoopId && gid == NoopId)
        {
            return null;
        }

        var bytes = new List<byte>(12);
        AddField(bytes, 0x08, uid);
        AddField(bytes, 0x10, gid);
        return [.. bytes];
    }

    /// <summary>Decodes a resource; false when the bytes are not one (unknown fields of any wire type are skipped, as protobuf does).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, out uint uid, out uint gid)
    {
        uid = 0;
        gid = 0;
        int i = 0;
        while (i < value.Length)
        {
            if (!TryReadVarint(value, ref i, out ulong key))
            {
                return false;
            }

            ulong field = key >> 3;
            switch ((int)(key & 7))
            {
                case 0:
                    if (!TryReadVarint(value, ref i, out ulong number))
                    {
                        return false;
                    }

                    // uint32 fields: protobuf keeps the low 32 bits of a wider varint.
                    if (field == 1)
                    {
                        uid = (uint)number;
                    }
                    else if (field == 2)
                    {
                        gid = (uint)number;
                    }

                    break;
                case 1:
                    i += 8;
                    break;
                case 2:
                    if (!TryReadVarint(value, ref i, out ulong length) || length > (ulong)(value.Length - i))
                    {
                        return false;
                    }

                    i += (int)length;
                    break;
                case 5:
                    i += 4;
                    break;
                default:
                    return false;
            }
        }

        return i == value.Length;
    }

    private static void AddField(List<byte> bytes, byte key, uint value)
    {
        if (value == 0)
        {
            return;
        }

        bytes.Add(key);
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> value, ref int i, out ulong result)
    {
        result = 0;
        for (int shift = 0; shift < 70 && i < value.Length; shift += 7)
        {
            byte b = value[i++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }
}
