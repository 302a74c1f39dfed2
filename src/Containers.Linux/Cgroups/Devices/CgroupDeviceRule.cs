namespace Containers.Linux.Cgroups;

/// <summary>
/// One device cgroup rule: allow or deny <see cref="Access"/> on devices of <see cref="Type"/>
/// ('a' all, 'c' char, 'b' block) with the given numbers (null = any).
/// </summary>
internal sealed record CgroupDeviceRule(bool Allow, char Type, long? Major, long? Minor, string Access)
{
    /// <summary>True for "a *:* rwm": a rule that matches every device and every access.</summary>
    public bool IsWildcardAll => Type == 'a' && Major is null && Minor is null && Access.Length == 3;

    /// <summary>The v1 devices.allow / devices.deny line, e.g. <c>c 1:3 rwm</c>.</summary>
    public string ToV1Line()
        => $"{Type} {(Major is long major ? major.ToString(System.Globalization.CultureInfo.InvariantCulture) : "*")}:{(Minor is long minor ? minor.ToString(System.Globalization.CultureInfo.InvariantCulture) : "*")} {Access}";
}
