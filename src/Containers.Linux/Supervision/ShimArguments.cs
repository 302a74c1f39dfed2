using System.Globalization;

namespace Containers.Linux.Supervision;

/// <summary>
/// The command line of a shim daemon (<c>runcs shim --serve</c>), as a host (<c>ShimLauncher</c>) and runcs's own
/// launcher (<c>runcs shim --dir</c>) spawn it: one place for the flags both pass on.
/// </summary>
internal static class ShimArguments
{
    /// <summary>The argv of a daemon serving <paramref name="directory"/>, its ready pipe at fd 3.</summary>
    /// <param name="executable">The runcs binary (argv[0]).</param>
    /// <param name="directory">The shim's directory (<c>--dir</c>).</param>
    /// <param name="idleExitMs">≥ 0: <c>--idle-exit-ms</c>, the shim outlives its last task for that long.</param>
    /// <param name="warmUp"><c>--warm-up</c>: a shim started ahead of its task prepares for it.</param>
    /// <param name="hostPid">&gt; 0: <c>--host-pid</c>, the process whose end lets an idle shim exit at once.</param>
    public static List<string> Serve(string executable, string directory, int idleExitMs, bool warmUp, int hostPid)
    {
        List<string> argv = [executable, "shim", "--serve", "--dir", directory, "--ready-fd", "3"];
        if (idleExitMs >= 0)
        {
            argv.AddRange(["--idle-exit-ms", idleExitMs.ToString(CultureInfo.InvariantCulture)]);
        }

        if (warmUp)
        {
            argv.Add("--warm-up");
        }

        if (hostPid > 0)
        {
            argv.AddRange(["--host-pid", hostPid.ToString(CultureInfo.InvariantCulture)]);
        }

        return argv;
    }
}
