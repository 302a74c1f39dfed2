using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Runtime;

/// <summary>
/// Unmanaged memory that lives as long as one spawn: every string, array and record the child
/// reads is carved from here, so the child never dereferences a managed object.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private const int BlockSize = 64 * 1024;
    private readonly List<nint> _blocks = [];
    private byte* _next;
    private nuint _left;

    /// <summary>Zeroed, 16-byte aligned memory.</summary>
    public void* Allocate(nuint size)
    {
        size = (size + 15) & ~(nuint)15;
        if (size > _left)
        {
            nuint blockSize = Math.Max(size, BlockSize);
            byte* block = (byte*)NativeMemory.AlignedAlloc(blockSize, 16);
            NativeMemory.Clear(block, blockSize);
            _blocks.Add((nint)block);
            _next = block;
            _left = blockSize;
        }

        byte* result = _next;
        _next += size;
        _left -= size;
        return result;
    }

    /// <summary>Room for <paramref name="count"/> values of <typeparamref name="T"/>.</summary>
    public T* Allocate<T>(int count)
        where T : unmanaged => (T*)Allocate((nuint)(sizeof(T) * Math.Max(count, 1)));

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="value"/>.</summary>
    /// <exception cref="InvalidSpecException"><paramref name="value"/> contains a NUL character.</exception>
    public byte* String(string value, string jsonPath)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new InvalidSpecException(jsonPath, "contains a NUL character");
        }

        int length = Encoding.UTF8.GetByteCount(value);
        byte* result = (byte*)Allocate((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(result, length));
        result[length] = 0;
        return result;
    }

    /// <summary>A NULL-terminated array of C strings.</summary>
    public byte** StringArray(IReadOnlyList<string> values, string jsonPath)
    {
        byte** result = (byte**)Allocate<nint>(values.Count + 1);
        for (int i = 0; i < values.Count; i++)
        {
            result[i] = String(values[i], $"{jsonPath}[{i}]");
        }

        result[values.Count] = null;
        return result;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (nint block in _blocks)
        {
            NativeMemory.AlignedFree((void*)block);
        }

        _blocks.Clear();
        _left = 0;
        _next = null;
    }
}
