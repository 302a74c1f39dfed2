namespace Containers.Linux.Cgroups;

/// <summary>A hugetlb limit for one page size such as <c>2MB</c>.</summary>
internal sealed record HugepageLimit(string PageSize, ulong Limit);
