namespace Containers.Linux.Runtime;

/// <summary>The container's session keyring (runc's default, off with --no-new-keyring).</summary>
internal static unsafe partial class ChildProcess
{
    private const long KEYCTL_JOIN_SESSION_KEYRING = 1;
    private const long KEYCTL_SETPERM = 5;

    /// <summary>
    /// runc's default: the init does not keep the caller's session keyring but joins a new one named after the
    /// container, made searchable (by its uid, or by others in a user namespace). A kernel without keyrings is
    /// not an error, as in runc.
    /// </summary>
    private static void JoinSessionKeyring(ChildProgram* p)
    {
        if (p->SessionKeyring == null)
        {
            return;
        }

        long keyring = Sys(p, p->Nr.Keyctl, KEYCTL_JOIN_SESSION_KEYRING, (long)p->SessionKeyring);
        if (keyring < 0)
        {
            if (Errno(p) == Interop.ENOSYS)
            {
                return;
            }

            Fail(p, ChildStep.SessionKeyring, 0);
        }

        Check(p, Sys(p, p->Nr.Keyctl, KEYCTL_SETPERM, keyring, p->SessionKeyringPermissions), ChildStep.SessionKeyring, 1);
    }
}
