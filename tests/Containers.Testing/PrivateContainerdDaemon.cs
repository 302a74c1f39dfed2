using System.Diagnostics;

namespace Containers.Testing;

/// <summary>
/// Starts Debian's containerd with every path it writes (root, state, sockets, opt) under one directory and the CRI
/// plugin off, as benchmarks/scripts/private-containerd.sh does. Shared by the tests that compare with containerd.
/// </summary>
public static class PrivateContainerdDaemon
{
    /// <summary>The daemon's binary.</summary>
    public const string Containerd = "/usr/bin/containerd";

    /// <summary>
    /// Whether /run/containerd was absent before the first daemon of this process: containerd 1.6's shim keeps its
    /// sockets in /run/containerd/s (and runc's state in /run/containerd/runc unless told otherwise) whatever the
    /// daemon's state directory, and ctr its FIFOs in /run/containerd/fifo.
    /// </summary>
    private static bool? s_madeRunDirectory;

    /// <summary>
    /// Removes what containerd's shim and ctr made below /run/containerd, and the directory itself, when it was absent
    /// before the first <see cref="Spawn"/> of this process. Only what is empty goes (a daemon still running keeps its
    /// part until it is stopped); /run/containerd/runc with what is in it, which only the tests' own runs put there.
    /// </summary>
    public static void RemoveRunDirectories()
    {
        if (s_madeRunDirectory != true)
        {
            return;
        }

        foreach (string made in (string[])["/run/containerd/s", "/run/containerd/fifo", "/run/containerd/runc", "/run/containerd"])
        {
            try
            {
                Directory.Delete(made, recursive: made.EndsWith("/runc", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // Absent, or not empty yet.
            }
        }
    }

    /// <summary>The gRPC socket containerd listens on in <paramref name="directory"/>.</summary>
    public static string Socket(string directory) => Path.Combine(directory, "containerd.sock");

    /// <summary>
    /// Writes the configuration into <paramref name="directory"/> and spawns containerd (through <c>sh -c exec</c>,
    /// so the process is containerd itself), its output in <c>containerd.log</c> there. The caller waits until it
    /// answers and stops it (SIGTERM).
    /// </summary>
    public static Process Spawn(string directory)
    {
        s_madeRunDirectory ??= !Directory.Exists("/run/containerd");
        string config = Path.Combine(directory, "config.toml");
        File.WriteAllText(config, $"""
            version = 2
            root = "{Path.Combine(directory, "root")}"
            state = "{Path.Combine(directory, "state")}"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{Socket(directory)}"
            [ttrpc]
              address = "{Path.Combine(directory, "containerd.ttrpc.sock")}"
            [plugins."io.containerd.internal.v1.opt"]
              path = "{Path.Combine(directory, "opt")}"
            """);
        ProcessStartInfo info = new("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" --config \"$1\" >\"$2\" 2>&1 </dev/null");
        info.ArgumentList.Add(Containerd);
        info.ArgumentList.Add(config);
        info.ArgumentList.Add(LogPath(directory));
        return Process.Start(info)!;
    }

    /// <summary>Where the daemon's output goes.</summary>
    public static string LogPath(string directory) => Path.Combine(directory, "containerd.log");
}
