using System.Globalization;
using Containers.Linux.Runtime;

namespace Containers.Runc.Commands;

/// <summary>
/// Hidden verb <c>runcs userns-hold --uid-map C:H:S[,...] --gid-map C:H:S[,...]</c>: makes a user namespace with
/// those maps, held by a child that only waits; prints the child's pid on one line, then waits for its standard
/// input to reach end of file (the caller closes it once it has opened <c>/proc/&lt;pid&gt;/ns/user</c>, or dies),
/// and exits. The host application uses it to get a user namespace fd for id-mapped overlay lowers without
/// cloning itself (DESIGN §2).
/// </summary>
internal static class UserNamespaceCommand
{
    public static int Execute(CommandLine line)
    {
        string uidText = line.Option("--uid-map") ?? throw new UsageException("userns-hold requires --uid-map");
        string gidText = line.Option("--gid-map") ?? throw new UsageException("userns-hold requires --gid-map");
        List<IdMapping> uids;
        List<IdMapping> gids;
        try
        {
            uids = UserNamespaceHolder.ParseMappings(uidText, "--uid-map");
            gids = UserNamespaceHolder.ParseMappings(gidText, "--gid-map");
        }
        catch (InvalidSpecException e)
        {
            throw new UsageException(e.Message);
        }

        // The holder shares stdin and exits at its end of file; so does this process once the holder is gone.
        int pid = UserNamespaceHolder.Start(uids, gids, 0);
        Output.Out(pid.ToString(CultureInfo.InvariantCulture) + "\n");
        Interop.WaitForChild(pid);
        return 0;
    }
}
