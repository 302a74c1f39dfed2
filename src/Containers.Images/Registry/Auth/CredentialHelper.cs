using System.Diagnostics;
using System.Text;
using Containers.Oci;

namespace Containers.Registry.Auth;

/// <summary>
/// Runs <c>docker-credential-NAME get</c> (docker's credential helper protocol): the server URL on
/// stdin, <c>{"ServerURL","Username","Secret"}</c> on stdout; a <c>&lt;token&gt;</c> user name means the
/// secret is an identity token.
/// </summary>
/// <remarks>
/// DESIGN §2 lets a host start an executable only by a spawn with no managed code in the child.
/// <see cref="Process"/> on Linux is such a spawn: SystemNative_ForkAndExecProcess (native code in
/// System.Native) forks/vforks and calls execve at once, only resetting signal handlers and
/// dup2-ing the three pipes in between; no managed code, GC or lock of the runtime runs in the
/// child. It is used here rather than a second posix_spawn helper because it already gives pipes
/// with async reads, kill and exit status.
/// </remarks>
internal static class CredentialHelper
{
    private const int MaxOutputBytes = 64 * 1024;

    public static async Task<RegistryCredentials?> GetAsync(string helper, string serverUrl, IReadOnlyList<string> directories, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string executable = Find(helper, directories);
        ProcessStartInfo start = new(executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add("get");

        using Process process = new() { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new CredentialHelperException(helper, $"cannot start {executable}: {ex.Message}", ex);
        }

        using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        byte[] output;
        try
        {
            Task<byte[]> stdout = ReadBoundedAsync(process.StandardOutput.BaseStream, helper, "output", limit.Token);
            Task<byte[]> stderr = ReadBoundedAsync(process.StandardError.BaseStream, helper, "error output", limit.Token);
            try
            {
                await process.StandardInput.WriteAsync(serverUrl.AsMemory(), limit.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading stdin; its exit status says what happened.
            }

            output = await stdout.ConfigureAwait(false);
            _ = await stderr.ConfigureAwait(false);
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            throw new CredentialHelperException(helper, $"did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch
        {
            Kill(process);
            throw;
        }

        if (process.ExitCode != 0)
        {
            // The protocol's "credentials not found" (and any other refusal) means: no credentials.
            return null;
        }

        CredentialHelperOutput parsed;
        try
        {
            parsed = OciJson.Deserialize(output, RegistryAuthJsonContext.Default.CredentialHelperOutput, MaxOutputBytes);
        }
        catch (ContainersException ex)
        {
            throw new CredentialHelperException(helper, "printed something that is not {\"Username\",\"Secret\"} JSON", ex);
        }

        if (parsed.Username is null || string.IsNullOrEmpty(parsed.Secret))
        {
            throw new CredentialHelperException(helper, "answered without Username or Secret");
        }

        return parsed.Username == "<token>"
            ? new RegistryCredentials(string.Empty, parsed.Secret) { IsIdentityToken = true }
            : new RegistryCredentials(parsed.Username, parsed.Secret);
    }

    private static string Find(string helper, IReadOnlyList<string> directories)
    {
        if (helper.Length == 0 || !helper.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new CredentialHelperException(helper, "the helper name may hold only letters, digits, '-', '_' and '.'");
        }

        IEnumerable<string> search = directories.Count > 0
            ? directories
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (string directory in search)
        {
            string candidate = Path.Combine(directory, "docker-credential-" + helper);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new CredentialHelperException(helper, $"not found in {(directories.Count > 0 ? string.Join(':', directories) : "PATH")}");
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, string helper, string what, CancellationToken cancellationToken)
    {
        using MemoryStream buffer = new();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxOutputBytes)
            {
                throw new CredentialHelperException(helper, $"its {what} exceeds {MaxOutputBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
