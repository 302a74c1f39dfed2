using System.Text;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary><c>runcs list [-q] [--format table|json]</c>.</summary>
internal static class ListCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        StateDirectoryOwner owners = StateDirectoryOwner.Load();
        List<StateView> views = [.. store.List().Select(r => WithOwner(StateCommand.ViewOf(r, store), owners, store))];
        string format = line.Option("--format") ?? line.Option("-f") ?? "table";
        if (line.Switch("--quiet"))
        {
            StringBuilder ids = new();
            foreach (StateView view in views)
            {
                ids.Append(view.Id).Append('\n');
            }

            Output.Out(ids.ToString());
            return 0;
        }

        if (format == "json")
        {
            // runc: json.NewEncoder(os.Stdout).Encode(states) — one compact line (null for none) and a newline.
            StringBuilder json = new();
            if (views.Count == 0)
            {
                json.Append("null");
            }
            else
            {
                json.Append('[');
                for (int i = 0; i < views.Count; i++)
                {
                    GoJsonText.AppendState(i == 0 ? json : json.Append(','), views[i]);
                }

                json.Append(']');
            }

            Output.Out(json.Append('\n').ToString());
            return 0;
        }

        if (format != "table")
        {
            throw new UsageException($"invalid format option \"{format}\"");
        }

        string[] header = ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"];
        List<string[]> rows = [header];
        rows.AddRange(views.Select(v => new[] { v.Id, v.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Status, v.Bundle, v.Created, v.Owner }));
        int[] widths = new int[header.Length];
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        StringBuilder table = new();
        foreach (string[] row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                // runc's tabwriter: cells at least 12 wide, 3 spaces of padding.
                table.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(Math.Max(widths[i] + 3, 12)));
            }

            table.Append('\n');
        }

        Output.Out(table.ToString());
        return 0;
    }

    private static StateView WithOwner(StateView view, StateDirectoryOwner owners, ContainerStore store)
    {
        view.Owner = owners.Of(store.DirectoryOf(view.Id));
        return view;
    }
}
