namespace Containers.Runc;

/// <summary>Entry point of <c>runcs</c>.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        _ = args;
        return 0;
    }
}
