using System.Diagnostics;

namespace Containers.Linux.Tests.Cgroups;

/// <summary>
/// A /bin/sh script that waits for a line on stdin before it does its work, so the test can
/// move it into a cgroup first.
/// </summary>
internal sealed class ShellProcess : IDisposable
{
    private ShellProcess(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public int Pid => Process.Id;

    public static ShellProcess Start(string script)
    {
        ProcessStartInfo start = new("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("read go; " + script);
        return new ShellProcess(Process.Start(start) ?? throw new InvalidOperationException("sh did not start"));
    }

    public void Release()
    {
        Process.StandardInput.WriteLine("go");
        Process.StandardInput.Flush();
    }

    public bool WaitForExit(TimeSpan timeout) => Process.WaitForExit(timeout);

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        Process.Dispose();
    }
}
