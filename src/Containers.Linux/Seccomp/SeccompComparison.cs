namespace Containers.Linux.Seccomp;

/// <summary>How a syscall argument is compared (the OCI <c>SCMP_CMP_*</c> operators); all compare unsigned.</summary>
public enum SeccompComparison
{
    /// <summary><c>SCMP_CMP_NE</c>: argument != value.</summary>
    NotEqual,

    /// <summary><c>SCMP_CMP_LT</c>: argument &lt; value.</summary>
    LessThan,

    /// <summary><c>SCMP_CMP_LE</c>: argument &lt;= value.</summary>
    LessOrEqual,

    /// <summary><c>SCMP_CMP_EQ</c>: argument == value.</summary>
    Equal,

    /// <summary><c>SCMP_CMP_GE</c>: argument &gt;= value.</summary>
    GreaterOrEqual,

    /// <summary><c>SCMP_CMP_GT</c>: argument &gt; value.</summary>
    GreaterThan,

    /// <summary><c>SCMP_CMP_MASKED_EQ</c>: (argument &amp; value) == valueTwo.</summary>
    MaskedEqual,
}
