using System.Diagnostics;
using System.Globalization;
using System.Text;
using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs ps [--format table|json] id [ps options]</c>: the processes in the container's cgroup.
/// As runc: json prints the host pids; table runs the host's <c>ps</c> (default <c>-ef</c>) and keeps
/// the header and the lines whose PID column is in the cgroup.
/// </summary>
internal static class PsCommand
{
    public static int Execute(CommandLine line, ContainerStore store)
    {
        if (line.Arguments.Count < 1)
        {
            throw new UsageException("\"ps\" requires a minimum of 1 argument");
        }

        ContainerRecord record = store.Load(line.Arguments[0]);
        if (store.StatusOf(record) == ContainerStatus.Stopped)
        {
            throw new FailedPreconditionException("container not running");
        }

        IReadOnlyList<int> pids = ContainerCgroups.Of(record).GetPids();
        string format = line.Option("--format") ?? line.Option("-f") ?? "table";
        if (format == "json")
        {
            Output.Out("[" + string.Join(',', pids.Select(p => p.ToString(CultureInfo.InvariantCulture))) + "]\n");
            return 0;
        }

        if (format != "table")
        {
            throw new UsageException($"invalid format option \"{format}\"");
        }

        List<string> psArgs = line.Arguments.Count > 1 ? line.Arguments[1..] : ["-ef"];
        Output.Out(Filter(RunPs(psArgs), pids));
        return 0;
    }

    private static string RunPs(List<string> args)
    {
        ProcessStartInfo info = new("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process ps = Process.Start(info) ?? throw new FailedPreconditionException("ps could not be started");
        Task<string> error = ps.StandardError.ReadToEndAsync();
        string output = ps.StandardOutput.ReadToEnd();
        ps.WaitForExit();
        if (ps.ExitCode != 0)
        {
            throw new FailedPreconditionException($"ps {string.Join(' ', args)} failed with exit code {ps.ExitCode}: {error.Result.Trim()}");
        }

        return output;
    }

    private static string Filter(string output, IReadOnlyList<int> pids)
    {
        string[] lines = output.Split('\n');
        int column = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (column < 0)
        {
            throw new FailedPreconditionException("couldn't find PID field in ps output");
        }

        HashSet<int> wanted = [.. pids];
        StringBuilder result = new(lines[0] + "\n");
        foreach (string text in lines.Skip(1))
        {
            string[] fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > column && int.TryParse(fields[column], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && wanted.Contains(pid))
            {
                result.Append(text).Append('\n');
            }
        }

        return result.ToString();
    }
}
