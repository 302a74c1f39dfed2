using System.Text;

namespace Containers.Runc;

/// <summary>
/// Writes to stdout and stderr with write(2). runcs never touches System.Console: initialising it
/// installs terminal and signal handling (with a thread) that must not exist before a clone.
/// </summary>
internal static class Output
{
    /// <summary>Writes <paramref name="text"/> to stdout.</summary>
    public static void Out(string text) => Interop.WriteFully(1, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes raw bytes to stdout.</summary>
    public static void Out(ReadOnlySpan<byte> bytes) => Interop.WriteFully(1, bytes);

    /// <summary>Writes <paramref name="text"/> and a newline to stderr.</summary>
    public static void Error(string text) => Interop.WriteFully(2, Encoding.UTF8.GetBytes(text + "\n"));
}
