namespace Containers.Linux.Tests.Clients;

/// <summary>POSIX shell quoting for the command line script(1) runs.</summary>
public static class Shell
{
    /// <summary><paramref name="word"/> in single quotes (each quote written as '\'').</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
