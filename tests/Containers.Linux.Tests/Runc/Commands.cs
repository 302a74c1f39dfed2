using System.Diagnostics;

namespace Containers.Linux.Tests.Runc;

/// <summary>Runs external commands (runcs, runc, dotnet) with captured output and a timeout.</summary>
public static class Commands
{
    /// <summary>
    /// Runs a command with stdout and stderr going to files, not pipes: a created container keeps
    /// the runtime's stdio open, so a pipe reader would wait for the container, not the command.
    /// </summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, string? workingDirectory = null, int timeoutSeconds = 120)
    {
        string outFile = Path.GetTempFileName();
        string errFile = Path.GetTempFileName();
        try
        {
            ProcessStartInfo info = new("/bin/sh")
            {
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec \"$0\" \"$@\" >\"$RUNCS_TEST_OUT\" 2>\"$RUNCS_TEST_ERR\" </dev/null");
            info.ArgumentList.Add(file);
            foreach (string arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            info.Environment["RUNCS_TEST_OUT"] = outFile;
            info.Environment["RUNCS_TEST_ERR"] = errFile;
            using Process process = Process.Start(info)!;
            if (!process.WaitForExit(timeoutSeconds * 1000))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {timeoutSeconds} s");
            }

            return new ProcessResult(process.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
        }
        finally
        {
            File.Delete(outFile);
            File.Delete(errFile);
        }
    }

    /// <summary>Starts a command without waiting; the caller owns the process.</summary>
    public static Process Start(string file, params string[] args)
    {
        ProcessStartInfo info = new(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }
}
