namespace Containers.Linux.Supervision;

/// <summary>The error kinds a shim answers with; the client maps each to the matching typed exception.</summary>
internal static class ShimErrorKind
{
    public const string NotFound = "not-found";
    public const string AlreadyExists = "already-exists";
    public const string FailedPrecondition = "failed-precondition";
    public const string InvalidArgument = "invalid-argument";
    public const string Unsupported = "unsupported";
    public const string RuntimeFailed = "runtime-failed";
    public const string Internal = "internal";
}
