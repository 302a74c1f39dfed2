using System.Text.RegularExpressions;
using Containers.Oci;

namespace Containers.Runc.State;

/// <summary>
/// The state root (<c>--root</c>, default /run/runcs): one 0700 directory per container holding
/// state.json and, between create and start, exec.fifo. Writes go to a temp name and are renamed.
/// </summary>
internal sealed partial class ContainerStore
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public ContainerStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    /// <summary>Absolute state root.</summary>
    public string Root { get; }

    /// <summary>The directory of one container.</summary>
    public string DirectoryOf(string id) => Path.Combine(Root, ValidId(id));

    /// <summary>The exec fifo of one container.</summary>
    public string FifoOf(string id) => Path.Combine(DirectoryOf(id), "exec.fifo");

    /// <summary>Creates the container's directory.</summary>
    /// <exception cref="AlreadyExistsException">A container with this id exists.</exception>
    public string Create(string id)
    {
        Directory.CreateDirectory(Root, PrivateDirectory);
        string directory = DirectoryOf(id);
        try
        {
            Directory.CreateDirectory(directory, PrivateDirectory);
        }
        catch (IOException)
        {
            throw new AlreadyExistsException("container", id);
        }

        if (File.Exists(Path.Combine(directory, "state.json")) || Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new AlreadyExistsException("container", id);
        }

        return directory;
    }

    /// <summary>
    /// Writes the record atomically: a temp name, then a rename, so a reader (another runcs, the shim after
    /// a crash of this process) sees the old record or the new one, never half of one. No fsync, as runc's
    /// saveState (libcontainer: a temp file, WriteJSON, close, rename): the state root is volatile (/run),
    /// and only an OS crash or power loss could lose unsynced data — which also ends every container the
    /// record describes. The fsync cost ~0.3 ms quiet, up to ~9 ms on a loaded disk, once per create.
    /// </summary>
    public void Save(ContainerRecord record)
    {
        string directory = DirectoryOf(record.Id);
        string temp = Path.Combine(directory, ".state.json.tmp");
        byte[] bytes = ContainerRecordWriter.Write(record);
        using (FileStream stream = new(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
        }

        File.Move(temp, Path.Combine(directory, "state.json"), overwrite: true);
    }

    /// <summary>Loads a container.</summary>
    /// <exception cref="NotFoundException">No such container.</exception>
    public ContainerRecord Load(string id)
    {
        string file = Path.Combine(DirectoryOf(id), "state.json");
        if (!File.Exists(file))
        {
            throw new NotFoundException("container", id);
        }

        return ContainerRecordReader.Read(File.ReadAllBytes(file));
    }

    /// <summary>Every container with a state file, by id.</summary>
    public IEnumerable<ContainerRecord> List()
    {
        if (!Directory.Exists(Root))
        {
            yield break;
        }

        foreach (string directory in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            string id = Path.GetFileName(directory);
            if (IdPattern().IsMatch(id) && File.Exists(Path.Combine(directory, "state.json")))
            {
                yield return Load(id);
            }
        }
    }

    /// <summary>Removes the container's directory.</summary>
    public void Remove(string id)
    {
        string directory = DirectoryOf(id);
        try
        {
            // Usually state.json is all there is: unlink and rmdir, not a listing of the directory.
            File.Delete(Path.Combine(directory, "state.json"));
            Directory.Delete(directory, recursive: false);
            return;
        }
        catch (IOException)
        {
            // Not empty (exec fifo, kept hook config, …) or already gone: the general path below.
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>created, running, paused or stopped, from /proc, the exec fifo and the cgroup's freezer.</summary>
    public string StatusOf(ContainerRecord record)
    {
        if (record.Pid <= 0 || !IsAlive(record.Pid, record.PidStartTime))
        {
            return Oci.Runtime.ContainerStatus.Stopped;
        }

        if (File.Exists(FifoOf(record.Id)))
        {
            return Oci.Runtime.ContainerStatus.Created;
        }

        return record.CgroupPath is not null && Cgroups.ContainerCgroups.Of(record).GetFreezerState() != Linux.Cgroups.CgroupFreezerState.Thawed
            ? Oci.Runtime.ContainerStatus.Paused
            : Oci.Runtime.ContainerStatus.Running;
    }

    /// <summary>Reads field 22 (starttime) of /proc/pid/stat; null when the process is gone or a zombie.</summary>
    public static ulong? StartTimeOf(int pid) => Linux.Runtime.ProcessIdentity.StartTimeOf(pid);

    private static bool IsAlive(int pid, ulong startTime) => StartTimeOf(pid) is ulong actual && actual == startTime;

    private static string ValidId(string id)
    {
        if (!IdPattern().IsMatch(id) || id is "." or "..")
        {
            throw new InvalidSpecException("id", $"invalid container id \"{id}\" (letters, digits, _ + - . only)");
        }

        return id;
    }

    [GeneratedRegex(@"^[\w+\-.]+$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
