using System.Text;
using Containers.Oci;

namespace Containers.Registry.Auth;

/// <summary>
/// Runs <c>docker-credential-NAME get</c> (docker's credential helper protocol): the server URL on
/// stdin, <c>{"ServerURL","Username","Secret"}</c> on stdout; a <c>&lt;token&gt;</c> user name means the
/// secret is an identity token.
/// </summary>
/// <remarks>
/// Started with posix_spawn (<see cref="HelperProcess"/>): DESIGN §2 lets a host start an
/// executable only by a spawn that runs no managed code in the child.
/// </remarks>
internal static class CredentialHelper
{
    private const int MaxOutputBytes = 64 * 1024;

    public static async Task<RegistryCredentials?> GetAsync(string helper, string serverUrl, IReadOnlyList<string> directories, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string executable = Find(helper, directories);
        HelperProcess process;
        try
        {
            process = HelperProcess.Start(executable, [executable, "get"]);
        }
        catch (IOException ex)
        {
            throw new CredentialHelperException(helper, $"cannot start {executable}: {ex.Message}", ex);
        }

        using (process)
        {
            using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            // A timeout kills the helper: its pipes then reach EOF and the blocking reads return.
            using CancellationTokenRegistration killer = limit.Token.Register(process.Kill);
            Task<byte[]> stdout = ReadBoundedAsync(process.StandardOutput, helper, "output");
            Task<byte[]> stderr = ReadBoundedAsync(process.StandardError, helper, "error output");
            try
            {
                await process.StandardInput.WriteAsync(Encoding.UTF8.GetBytes(serverUrl), CancellationToken.None).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The helper exited without reading stdin (EPIPE); its exit status says what happened.
            }

            byte[] output;
            int exitCode;
            try
            {
                output = await stdout.ConfigureAwait(false);
                _ = await stderr.ConfigureAwait(false);
            }
            catch (CredentialHelperException)
            {
                process.Kill();
                throw;
            }
            finally
            {
                exitCode = await process.WaitForExitAsync().ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (limit.IsCancellationRequested)
            {
                throw new CredentialHelperException(helper, $"did not answer within {timeout.TotalSeconds:0.#} s");
            }

            return Parse(helper, exitCode, output);
        }
    }

    private static RegistryCredentials? Parse(string helper, int exitCode, byte[] output)
    {
        if (exitCode != 0)
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

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, string helper, string what)
    {
        using MemoryStream buffer = new();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await stream.ReadAsync(chunk, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxOutputBytes)
            {
                throw new CredentialHelperException(helper, $"its {what} exceeds {MaxOutputBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
