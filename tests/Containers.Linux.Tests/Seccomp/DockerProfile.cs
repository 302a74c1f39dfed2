using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// Turns a Docker/Podman seccomp profile (archMap, includes/excludes) into the OCI linux.seccomp object the
/// engine would write for an amd64 container with the default capabilities, as Docker does.
/// </summary>
internal static class DockerProfile
{
    // Docker's default capability set.
    private static readonly HashSet<string> DefaultCaps =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    public static LinuxSeccomp Load(string file)
    {
        JsonObject docker = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        JsonObject oci = new() { ["defaultAction"] = docker["defaultAction"]!.DeepClone() };
        if (docker["defaultErrnoRet"] is JsonNode errno)
        {
            oci["defaultErrnoRet"] = errno.DeepClone();
        }

        JsonArray archs = [];
        foreach (JsonNode? map in docker["archMap"]!.AsArray())
        {
            if ((string?)map!["architecture"] == "SCMP_ARCH_X86_64")
            {
                archs.Add("SCMP_ARCH_X86_64");
                foreach (JsonNode? sub in map["subArchitectures"]!.AsArray())
                {
                    archs.Add((string?)sub);
                }
            }
        }

        oci["architectures"] = archs;
        Version kernel = KernelVersion();
        JsonArray syscalls = [];
        foreach (JsonNode? node in docker["syscalls"]!.AsArray())
        {
            JsonObject call = node!.AsObject();
            if (!Applies(call, kernel))
            {
                continue;
            }

            JsonObject rule = new() { ["names"] = call["names"]!.DeepClone(), ["action"] = call["action"]!.DeepClone() };
            if (call["errnoRet"] is JsonNode ret)
            {
                rule["errnoRet"] = ret.DeepClone();
            }

            if (call["args"] is JsonArray args && args.Count > 0)
            {
                rule["args"] = args.DeepClone();
            }

            syscalls.Add(rule);
        }

        oci["syscalls"] = syscalls;
        return JsonSerializer.Deserialize(oci.ToJsonString(), RuntimeSpecJsonContext.Default.LinuxSeccomp)!;
    }

    private static bool Applies(JsonObject call, Version kernel)
    {
        if (call["includes"] is JsonObject includes)
        {
            if (includes["caps"] is JsonArray caps && caps.Any(c => !DefaultCaps.Contains((string)c!)))
            {
                return false;
            }

            if (includes["arches"] is JsonArray arches && arches.Count > 0 && !arches.Any(a => (string?)a == "amd64"))
            {
                return false;
            }

            if (includes["minKernel"] is JsonNode min && Version.Parse((string)min! + (((string)min!).Count(c => c == '.') == 1 ? ".0" : "")) > kernel)
            {
                return false;
            }
        }

        if (call["excludes"] is JsonObject excludes)
        {
            if (excludes["caps"] is JsonArray caps && caps.Any(c => DefaultCaps.Contains((string)c!)))
            {
                return false;
            }

            if (excludes["arches"] is JsonArray arches && arches.Any(a => (string?)a == "amd64"))
            {
                return false;
            }
        }

        return true;
    }

    private static Version KernelVersion()
    {
        string release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        string[] parts = release.Split('.', '-');
        return new Version(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 0);
    }
}
