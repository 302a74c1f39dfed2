namespace Containers.Linux.Cgroups;

/// <summary>
/// A rule list reduced to what the kernel needs: the default (from the last rule that matches
/// every device and access) and the exceptions after it, in order. Earlier rules are overridden.
/// </summary>
internal sealed record DeviceRuleSet(bool DefaultAllow, IReadOnlyList<CgroupDeviceRule> Exceptions)
{
    /// <summary>Reduces a rule list; with no wildcard rule the default is deny, as for runc on v2.</summary>
    public static DeviceRuleSet From(IList<CgroupDeviceRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        int last = -1;
        for (int i = 0; i < rules.Count; i++)
        {
            if (rules[i].IsWildcardAll)
            {
                last = i;
            }
        }

        bool defaultAllow = last >= 0 && rules[last].Allow;
        List<CgroupDeviceRule> exceptions = [.. rules.Skip(last + 1).Where(r => r.Allow != defaultAllow || !r.IsWildcardAll)];
        return new DeviceRuleSet(defaultAllow, exceptions);
    }
}
