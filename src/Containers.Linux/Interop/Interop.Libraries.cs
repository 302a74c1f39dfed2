internal static partial class Interop
{
    /// <summary>The C library; NativeAOT hosts bind it at link time (DirectPInvoke).</summary>
    internal const string Libc = "libc";
}
