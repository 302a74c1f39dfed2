using Containers.Registry;

namespace Containers.Samples.Ctrs;

/// <summary>Where pull and push progress goes: a live table on a terminal, plain lines otherwise.</summary>
internal interface ITransferDisplay : IProgress<PullProgress>, IProgress<PushProgress>, IAsyncDisposable
{
    /// <summary>The display for standard output: <see cref="LiveProgress"/> when it is a terminal, <see cref="PlainProgress"/> when redirected.</summary>
    /// <param name="verb">The status of a blob whose bytes are moving (<c>downloading</c>, <c>uploading</c>).</param>
    static ITransferDisplay ForConsole(string verb) => Console.IsOutputRedirected
        ? new PlainProgress(Console.Out)
        : new LiveProgress(Console.Out, TerminalWidth, verb);

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
