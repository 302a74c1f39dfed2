using Containers.Oci.Image;
using Containers.Oci.Runtime;

namespace Containers.Oci;

/// <summary>
/// Spec options with containerd's semantics (oci/spec_opts.go). Each returns a <see cref="SpecOption"/>
/// for <see cref="SpecGenerator.GenerateAsync"/>; invalid input throws <see cref="InvalidSpecException"/>
/// naming the spec field when the option runs.
/// </summary>
public static partial class SpecOptions
{
    /// <summary>
    /// Applies an image's config as containerd's <c>WithImageConfigArgs</c> does: environment (the image's,
    /// or containerd's default PATH when it has none, with what the spec already sets overriding it),
    /// <c>entrypoint + (args or cmd)</c>, working directory (<c>/</c> when unset), the user (names looked
    /// up in the rootfs) and supplementary groups from the rootfs's <c>/etc/group</c>.
    /// </summary>
    /// <param name="config">The image config.</param>
    /// <param name="args">Arguments replacing the image's <c>Cmd</c>, or none to keep it.</param>
    public static SpecOption WithImageConfig(ImageConfig config, params IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(args);
        return async (context, spec, cancellationToken) =>
        {
            if (!string.Equals(config.OS, "linux", StringComparison.Ordinal))
            {
                throw new InvalidSpecException("os", $"image is for \"{config.OS}\", only linux images run here");
            }

            ContainerConfig image = config.Config ?? new ContainerConfig();
            ProcessSpec process = Process(spec);
            IList<string> defaults = image.Env is { Count: > 0 } env ? [.. env] : [DefaultSpec.DefaultPathEnv];
            process.Env = EnvMerge.ReplaceOrAppend(defaults, process.Env);
            IReadOnlyList<string> cmd = args.Count > 0 ? args : (IReadOnlyList<string>?)image.Cmd?.ToList() ?? [];
            process.Args = [.. image.Entrypoint ?? [], .. cmd];
            process.Cwd = string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir;
            if (!string.IsNullOrEmpty(image.User))
            {
                await WithUser(image.User)(context, spec, cancellationToken).ConfigureAwait(false);
                await WithAdditionalGids(process.User!.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture))(context, spec, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // containerd looks up root's supplementary groups even when the image names no user.
                await WithAdditionalGids("root")(context, spec, cancellationToken).ConfigureAwait(false);
            }
        };
    }

    /// <summary>Sets the process arguments (containerd's <c>WithProcessArgs</c>).</summary>
    /// <param name="args">argv, starting with the program.</param>
    public static SpecOption WithProcessArgs(params IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return (_, spec, _) =>
        {
            if (args.Count == 0 || string.IsNullOrEmpty(args[0]))
            {
                throw new InvalidSpecException("process.args", "must name a program");
            }

            Process(spec).Args = [.. args];
            return ValueTask.CompletedTask;
        };
    }

    /// <summary>
    /// Sets environment variables (containerd's <c>WithEnv</c>): <c>KEY=value</c> replaces or appends,
    /// a bare <c>KEY</c> removes it.
    /// </summary>
    /// <param name="env">The variables.</param>
    public static SpecOption WithEnv(params IReadOnlyList<string> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        return (_, spec, _) =>
        {
            for (int i = 0; i < env.Count; i++)
            {
                if (string.IsNullOrEmpty(env[i]) || env[i][0] == '=' || env[i].Contains('\0', StringComparison.Ordinal))
                {
                    throw new InvalidSpecException($"process.env[{i}]", "must be KEY=value or KEY, with a non-empty key and no NUL");
                }
            }

            ProcessSpec process = Process(spec);
            process.Env = EnvMerge.ReplaceOrAppend(process.Env ?? [], env);
            return ValueTask.CompletedTask;
        };
    }

    /// <summary>Gives the process a terminal and sets <c>TERM=xterm</c> (containerd's <c>WithTTY</c>).</summary>
    public static SpecOption WithTty() => (_, spec, _) =>
    {
        ProcessSpec process = Process(spec);
        process.Terminal = true;
        process.Env = EnvMerge.ReplaceOrAppend(process.Env ?? [], ["TERM=xterm"]);
        return ValueTask.CompletedTask;
    };

    /// <summary>Makes the root filesystem read-only: <c>root.readonly</c> (containerd's <c>WithRootFSReadonly</c>).</summary>
    public static SpecOption WithRootfsReadonly() => (_, spec, _) =>
    {
        (spec.Root ??= new Root { Path = "rootfs" }).Readonly = true;
        return ValueTask.CompletedTask;
    };

    /// <summary>Sets the hostname (containerd's <c>WithHostname</c>); the spec keeps its own UTS namespace.</summary>
    /// <param name="hostname">The hostname: 1 to 64 characters, no '/' or NUL.</param>
    public static SpecOption WithHostname(string hostname)
    {
        ArgumentNullException.ThrowIfNull(hostname);
        return (_, spec, _) =>
        {
            if (hostname.Length is 0 or > 64 || hostname.Contains('/', StringComparison.Ordinal) || hostname.Contains('\0', StringComparison.Ordinal))
            {
                throw new InvalidSpecException("hostname", $"\"{hostname}\" is not a valid hostname (1-64 characters, no '/')");
            }

            spec.Hostname = hostname;
            return ValueTask.CompletedTask;
        };
    }

    /// <summary>Sets the memory limit in bytes (containerd's <c>WithMemoryLimit</c>).</summary>
    /// <param name="bytes">The limit; must be positive.</param>
    public static SpecOption WithMemoryLimit(long bytes) => (_, spec, _) =>
    {
        if (bytes <= 0)
        {
            throw new InvalidSpecException("linux.resources.memory.limit", $"must be positive, got {bytes}");
        }

        Runtime.Linux linux = spec.Linux ??= new Runtime.Linux();
        LinuxResources resources = linux.Resources ??= new LinuxResources();
        (resources.Memory ??= new LinuxMemory()).Limit = bytes;
        return ValueTask.CompletedTask;
    };

    /// <summary>Appends mounts (containerd's <c>WithMounts</c>); each destination must be absolute.</summary>
    /// <param name="mounts">The mounts.</param>
    public static SpecOption WithMounts(params IReadOnlyList<Runtime.Mount> mounts)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        return (_, spec, _) =>
        {
            spec.Mounts ??= [];
            int offset = spec.Mounts.Count;
            for (int i = 0; i < mounts.Count; i++)
            {
                if (string.IsNullOrEmpty(mounts[i].Destination) || mounts[i].Destination[0] != '/')
                {
                    throw new InvalidSpecException($"mounts[{offset + i}].destination", $"\"{mounts[i].Destination}\" must be an absolute path");
                }
            }

            foreach (Runtime.Mount mount in mounts)
            {
                spec.Mounts.Add(mount);
            }

            return ValueTask.CompletedTask;
        };
    }

    /// <summary>
    /// Sets the bounding, permitted and effective capabilities (containerd's <c>WithCapabilities</c>);
    /// inheritable and ambient stay empty.
    /// </summary>
    /// <param name="capabilities">Capability names such as <c>CAP_NET_ADMIN</c>.</param>
    public static SpecOption WithCapabilities(params IReadOnlyList<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        return (_, spec, _) =>
        {
            for (int i = 0; i < capabilities.Count; i++)
            {
                if (!LinuxCapability.All.Contains(capabilities[i], StringComparer.Ordinal))
                {
                    throw new InvalidSpecException($"process.capabilities.bounding[{i}]", $"unknown capability \"{capabilities[i]}\"");
                }
            }

            ProcessSpec process = Process(spec);
            LinuxCapabilities caps = process.Capabilities ??= new LinuxCapabilities();
            caps.Bounding = [.. capabilities];
            caps.Permitted = [.. capabilities];
            caps.Effective = [.. capabilities];
            return ValueTask.CompletedTask;
        };
    }

    /// <summary>
    /// Runs the container in a new user namespace with these mappings (containerd's
    /// <c>WithUserNamespace</c>): the rootless mode, where container root is an unprivileged host id.
    /// </summary>
    /// <param name="uidMappings">The uid mappings; at least one.</param>
    /// <param name="gidMappings">The gid mappings; at least one.</param>
    public static SpecOption WithUserNamespace(IReadOnlyList<LinuxIdMapping> uidMappings, IReadOnlyList<LinuxIdMapping> gidMappings)
    {
        ArgumentNullException.ThrowIfNull(uidMappings);
        ArgumentNullException.ThrowIfNull(gidMappings);
        return (_, spec, _) =>
        {
            CheckMappings(uidMappings, "linux.uidMappings");
            CheckMappings(gidMappings, "linux.gidMappings");
            Runtime.Linux linux = spec.Linux ??= new Runtime.Linux();
            linux.Namespaces ??= [];
            if (!linux.Namespaces.Any(n => n.Type == "user"))
            {
                linux.Namespaces.Add(new LinuxNamespace { Type = "user" });
            }

            linux.UidMappings = [.. uidMappings];
            linux.GidMappings = [.. gidMappings];
            return ValueTask.CompletedTask;
        };
    }

    private static void CheckMappings(IReadOnlyList<LinuxIdMapping> mappings, string field)
    {
        if (mappings.Count == 0)
        {
            throw new InvalidSpecException(field, "a user namespace needs at least one mapping");
        }

        for (int i = 0; i < mappings.Count; i++)
        {
            if (mappings[i].Size == 0 || (ulong)mappings[i].ContainerId + mappings[i].Size > uint.MaxValue || (ulong)mappings[i].HostId + mappings[i].Size > uint.MaxValue)
            {
                throw new InvalidSpecException($"{field}[{i}]", "size must be positive and the range must fit in 32 bits");
            }
        }
    }

    private static ProcessSpec Process(Spec spec) => spec.Process ??= new ProcessSpec { Cwd = "/" };
}
