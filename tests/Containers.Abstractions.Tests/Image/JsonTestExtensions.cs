using System.Text;

namespace Containers.Abstractions.Tests.Image;

internal static class JsonTestExtensions
{
    public static string AsString(this byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
