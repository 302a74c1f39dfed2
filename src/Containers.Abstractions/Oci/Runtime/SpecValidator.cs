using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Containers.Oci.Runtime;

/// <summary>
/// Checks a <see cref="Spec"/> against the rules of runtime-spec 1.x that can be checked without
/// the host: required fields, absolute paths, known names (namespaces, capabilities, rlimits, seccomp
/// actions…) and consistent values. The first broken rule is thrown as an
/// <see cref="InvalidSpecException"/> whose <see cref="InvalidSpecException.JsonPath"/> names the field.
/// </summary>
/// <remarks>
/// Names stay strings on the model so that a config written by a newer spec still parses; this is
/// where an unknown name becomes an error that names the field and the value.
/// </remarks>
public static partial class SpecValidator
{
    /// <summary>Validates <paramref name="spec"/>.</summary>
    /// <param name="spec">The spec to check.</param>
    /// <exception cref="InvalidSpecException">A rule is broken; the exception names the field and the bad value.</exception>
    public static void Validate(Spec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ValidateVersion(spec.OciVersion);
        if (spec.Root is not null && string.IsNullOrEmpty(spec.Root.Path))
        {
            Fail("root.path", "required field is missing");
        }

        if (spec.Process is not null)
        {
            ValidateProcess(spec.Process, "process");
        }

        ValidateMounts(spec.Mounts);
        ValidateHooks(spec.Hooks);
        if (spec.Annotations is not null && spec.Annotations.Keys.Any(string.IsNullOrEmpty))
        {
            Fail("annotations", "keys must not be empty");
        }

        if (spec.Linux is not null)
        {
            ValidateLinux(spec.Linux, spec.Hostname, spec.Domainname);
        }
    }

    private static void ValidateVersion(string? version)
    {
        if (string.IsNullOrEmpty(version))
        {
            Fail("ociVersion", "required field is missing");
        }

        Match match = SemVerPattern().Match(version);
        if (!match.Success)
        {
            Fail("ociVersion", $"{Quote(version)} is not a SemVer 2.0.0 version");
        }

        if (match.Groups["major"].Value != "1")
        {
            Fail("ociVersion", $"version {Quote(version)} is not a 1.x version of the runtime-spec");
        }
    }

    private static void ValidateMounts(IList<Mount>? mounts)
    {
        if (mounts is null)
        {
            return;
        }

        for (int i = 0; i < mounts.Count; i++)
        {
            string path = Index("mounts", i);
            Mount mount = NotNull(mounts[i], path);
            RequireAbsolute(mount.Destination, path + ".destination");
            ValidateIdMappings(mount.UidMappings, path + ".uidMappings");
            ValidateIdMappings(mount.GidMappings, path + ".gidMappings");
            if ((mount.UidMappings is null) != (mount.GidMappings is null))
            {
                Fail(mount.UidMappings is null ? path + ".uidMappings" : path + ".gidMappings", "uidMappings and gidMappings of an id-mapped mount must be set together");
            }

            // The kernel id-maps only a detached clone of an existing tree (open_tree +
            // mount_setattr(MOUNT_ATTR_IDMAP)), so, as in runc, only bind mounts can carry mappings.
            if (mount.UidMappings is not null && !IsBind(mount))
            {
                Fail(path + ".uidMappings", $"id mappings need a bind mount (type \"bind\" or option bind/rbind), not type {Quote(mount.Type)}");
            }
        }
    }

    private static bool IsBind(Mount mount) =>
        mount.Type == "bind" || (mount.Options?.Any(o => o is "bind" or "rbind") ?? false);

    private static void ValidateHooks(Hooks? hooks)
    {
        if (hooks is null)
        {
            return;
        }

        ValidateHookList(hooks.Prestart, "hooks.prestart");
        ValidateHookList(hooks.CreateRuntime, "hooks.createRuntime");
        ValidateHookList(hooks.CreateContainer, "hooks.createContainer");
        ValidateHookList(hooks.StartContainer, "hooks.startContainer");
        ValidateHookList(hooks.Poststart, "hooks.poststart");
        ValidateHookList(hooks.Poststop, "hooks.poststop");
    }

    private static void ValidateHookList(IList<Hook>? hooks, string listPath)
    {
        if (hooks is null)
        {
            return;
        }

        for (int i = 0; i < hooks.Count; i++)
        {
            string path = Index(listPath, i);
            Hook hook = NotNull(hooks[i], path);
            RequireAbsolute(hook.Path, path + ".path");
            if (hook.Timeout is int timeout && timeout <= 0)
            {
                Fail(path + ".timeout", $"timeout {timeout} must be greater than zero");
            }
        }
    }

    private static void ValidateIdMappings(IList<LinuxIdMapping>? mappings, string listPath)
    {
        if (mappings is null)
        {
            return;
        }

        for (int i = 0; i < mappings.Count; i++)
        {
            string path = Index(listPath, i);
            if (NotNull(mappings[i], path).Size == 0)
            {
                Fail(path + ".size", "size must be greater than zero");
            }
        }
    }

    private static void ValidateKnown(string? value, string path, Func<string?, bool> isKnown, string what)
    {
        if (string.IsNullOrEmpty(value))
        {
            Fail(path, "required field is missing");
        }

        if (!isKnown(value))
        {
            Fail(path, $"unknown {what} {Quote(value)}");
        }
    }

    private static void ValidateKnownList(IList<string>? values, string listPath, Func<string?, bool> isKnown, string what)
    {
        if (values is null)
        {
            return;
        }

        for (int i = 0; i < values.Count; i++)
        {
            ValidateKnown(values[i], Index(listPath, i), isKnown, what);
        }
    }

    private static void RequireAbsolute(string? value, string path)
    {
        if (string.IsNullOrEmpty(value))
        {
            Fail(path, "required field is missing");
        }

        if (value[0] != '/')
        {
            Fail(path, $"{Quote(value)} is not an absolute path");
        }
    }

    private static T NotNull<T>(T? value, string path)
        where T : class
    {
        if (value is null)
        {
            Fail(path, "expected object, got null");
        }

        return value;
    }

    private static string Index(string path, int index) => string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");

    private static string Quote(string? value) => value is null ? "null" : "\"" + value + "\"";

    [DoesNotReturn]
    private static void Fail(string path, string problem) => throw new InvalidSpecException(path, problem);

    // SemVer 2.0.0's own grammar; the major is captured so that 2.x can be told apart from garbage.
    [GeneratedRegex(@"^(?<major>0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SemVerPattern();

    // The cpuset list syntax of cpuset.cpus and sched_setaffinity tools: "0-3,7,9-11".
    [GeneratedRegex(@"^\d+(-\d+)?(,\d+(-\d+)?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex CpuListPattern();
}
