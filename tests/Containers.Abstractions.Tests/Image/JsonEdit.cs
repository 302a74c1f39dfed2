using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Makes one change to a JSON document at a path such as <c>layers[1].digest</c>.</summary>
internal static partial class JsonEdit
{
    /// <summary>Sets the field at <paramref name="path"/> to <paramref name="valueJson"/>, or removes it when that is null.</summary>
    public static byte[] With(string json, string path, string? valueJson)
    {
        JsonNode root = JsonNode.Parse(json)!;
        string[] segments = [.. Segment().Matches(path).Select(m => m.Value)];
        JsonNode parent = root;
        foreach (string segment in segments[..^1])
        {
            parent = IsIndex(segment) ? parent[Index(segment)]! : parent[Name(segment)]!;
        }

        string last = segments[^1];
        JsonNode? value = valueJson is null ? null : JsonNode.Parse(valueJson);
        if (IsIndex(last))
        {
            if (valueJson is null)
            {
                parent.AsArray().RemoveAt(Index(last));
            }
            else
            {
                parent[Index(last)] = value;
            }
        }
        else if (valueJson is null)
        {
            parent.AsObject().Remove(Name(last));
        }
        else
        {
            parent[Name(last)] = value;
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static string Name(string segment) => segment.StartsWith("['", StringComparison.Ordinal) ? segment[2..^2] : segment;

    private static bool IsIndex(string segment) => segment.StartsWith('[') && !segment.StartsWith("['", StringComparison.Ordinal);

    private static int Index(string segment) => int.Parse(segment[1..^1], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\['[^']*'\]|\[\d+\]|[^.\[]+")]
    private static partial Regex Segment();
}
