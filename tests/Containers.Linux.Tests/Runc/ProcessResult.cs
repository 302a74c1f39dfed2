namespace Containers.Linux.Tests.Runc;

/// <summary>Exit code and captured output of one external command.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {StandardOutput}\nstderr: {StandardError}";
}
