using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>
/// Fresh network and IPC namespaces made ahead of a create, off its path. A <see cref="ContainerSpawner"/> given the
/// reserve (<see cref="ContainerSpawner.Reserve"/>) lets a container that asks for a new namespace of such a type join a
/// reserved one instead of having its clone create it: a network namespace's set-up is about 0.5 ms of the clone on a
/// quiet host. A reserved namespace is as new as the clone's would be — nothing has entered it, its loopback is down —
/// and goes to one container only. Containers with a new user namespace (their namespaces must belong to it) or that
/// join a user or pid namespace (cloned twice) create theirs as before.
/// Like <see cref="ContainerSpawner"/>, for a NativeAOT spawner's main thread (runcs and its shim): the embedding
/// application never unshares or setns (DESIGN.md §2, rule 1). Not thread-safe: fill and spawn from that one thread.
/// </summary>
public sealed class NamespaceReserve : IDisposable
{
    /// <summary>The types a reserve holds, in the order a spawner takes them.</summary>
    internal static readonly ContainerNamespaces[] Kinds = [ContainerNamespaces.Network, ContainerNamespaces.Ipc];

    private readonly SafeFdHandle?[] _held = new SafeFdHandle?[Kinds.Length];
    private bool _disposed;

    /// <summary>The namespace types the reserve can hold: <see cref="ContainerNamespaces.Network"/> and <see cref="ContainerNamespaces.Ipc"/>.</summary>
    public static ContainerNamespaces Supported => ContainerNamespaces.Network | ContainerNamespaces.Ipc;

    /// <summary>The types of which the reserve holds a namespace now.</summary>
    public ContainerNamespaces Ready
    {
        get
        {
            ContainerNamespaces ready = ContainerNamespaces.None;
            for (int i = 0; i < Kinds.Length; i++)
            {
                ready |= _held[i] is null ? ContainerNamespaces.None : Kinds[i];
            }

            return ready;
        }
    }

    /// <summary>
    /// Makes a namespace of each of <paramref name="types"/> that the reserve lacks. The calling thread enters each new
    /// namespace (unshare(2)) only to open it, and goes back to its own at once; a type the kernel refuses (no
    /// CAP_SYS_ADMIN, or no such namespaces) is left out, as the clone would then fail on its own terms.
    /// </summary>
    /// <returns>The types the reserve holds afterwards.</returns>
    /// <exception cref="ArgumentException"><paramref name="types"/> names a type other than <see cref="Supported"/>.</exception>
    /// <exception cref="ObjectDisposedException">The reserve is disposed.</exception>
    public ContainerNamespaces Fill(ContainerNamespaces types)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((types & ~Supported) != 0)
        {
            throw new ArgumentException($"a namespace reserve holds only network and IPC namespaces, not {types & ~Supported}", nameof(types));
        }

        for (int i = 0; i < Kinds.Length; i++)
        {
            if ((types & Kinds[i]) != 0 && _held[i] is null)
            {
                (string name, ulong flag) = JoinedNamespaces.NameAndFlagOf(Kinds[i]);
                _held[i] = Make(name, flag);
            }
        }

        return Ready;
    }

    /// <summary>Takes the reserved namespace of <paramref name="type"/> (the caller owns it), or <see langword="null"/>.</summary>
    internal SafeFdHandle? Take(ContainerNamespaces type)
    {
        if (_disposed)
        {
            return null;
        }

        int index = Array.IndexOf(Kinds, type);
        if (index < 0)
        {
            return null;
        }

        SafeFdHandle? taken = _held[index];
        _held[index] = null;
        return taken;
    }

    /// <summary>Closes the namespaces still held (each ends with its last reference).</summary>
    public void Dispose()
    {
        _disposed = true;
        for (int i = 0; i < _held.Length; i++)
        {
            _held[i]?.Dispose();
            _held[i] = null;
        }
    }

    /// <summary>
    /// unshare(2) of one namespace type on the calling thread, open the new namespace, setns(2) back to the thread's own.
    /// Namespaces are per thread: no other thread of the process is moved, and no process is cloned (DESIGN.md §2).
    /// </summary>
    private static SafeFdHandle? Make(string name, ulong flag)
    {
        string self = "/proc/thread-self/ns/" + name;
        int own = Interop.Open(self, Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
        if (own < 0)
        {
            return null;
        }

        using SafeFdHandle ownHandle = new(own);
        if (Interop.Unshare((int)flag) != 0)
        {
            return null;
        }

        int made = Interop.Open(self, Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
        if (Interop.Setns(own, (int)flag) != 0)
        {
            // A thread left in the made namespace would hand it to every container that shares the host's (a host-network
            // container would get an empty network): nothing this process does afterwards could be trusted.
            Environment.FailFast($"cannot return to the thread's own {name} namespace after making one ahead: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        return made < 0 ? null : new SafeFdHandle(made);
    }
}
