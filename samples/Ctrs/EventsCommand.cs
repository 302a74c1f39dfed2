namespace Containers.Samples.Ctrs;

/// <summary>
/// <c>ctrs events [--follow]</c>: the event journal of this root (see <see cref="EventJournal"/>: the
/// events ctrs processes published, not those of other applications), lines of the current namespace,
/// oldest first; with <c>--follow</c> it keeps printing new lines until Ctrl-C.
/// </summary>
internal static class EventsCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync(CtrsSettings settings, string[] args, Func<string, int> usage, CancellationToken cancellationToken)
    {
        bool follow = args is ["--follow" or "-f"];
        if (args.Length > (follow ? 1 : 0))
        {
            return usage("events [--follow]");
        }

        string path = EventJournal.PathUnder(settings.Root);
        string marker = " " + settings.Namespace + " ";
        long offset = 0;
        string pending = "";
        try
        {
            do
            {
                if (File.Exists(path))
                {
                    await using FileStream journal = new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    journal.Position = offset;
                    using StreamReader reader = new(journal);
                    pending += await reader.ReadToEndAsync(cancellationToken);
                    offset = journal.Position;
                    // Only whole lines: a writer may be between its bytes.
                    int end = pending.LastIndexOf('\n');
                    foreach (string line in pending[..(end + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    {
                        // timestamp namespace topic payload
                        int first = line.IndexOf(' ', StringComparison.Ordinal);
                        if (first > 0 && string.CompareOrdinal(line, first, marker, 0, marker.Length) == 0)
                        {
                            Console.WriteLine(line);
                        }
                    }

                    pending = pending[(end + 1)..];
                }

                if (follow)
                {
                    await Task.Delay(PollInterval, cancellationToken);
                }
            }
            while (follow);
        }
        catch (OperationCanceledException) when (follow)
        {
        }

        return 0;
    }
}
