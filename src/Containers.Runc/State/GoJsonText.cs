using System.Globalization;
using System.Text;

namespace Containers.Runc.State;

/// <summary>
/// JSON text as Go's encoding/json writes it (what runc prints): compact, strings escaped with Go's rules —
/// <c>\n \r \t \" \\</c> short, other control characters and the HTML-sensitive <c>&lt; &gt; &amp;</c> as
/// lowercase <c>\u00xx</c>, U+2028/U+2029 escaped, a lone surrogate as <c>\ufffd</c>, everything else as is.
/// </summary>
internal static class GoJsonText
{
    private const string Hex = "0123456789abcdef";

    /// <summary>Appends <paramref name="value"/> as a quoted Go JSON string.</summary>
    public static StringBuilder AppendString(StringBuilder builder, string value)
    {
        builder.Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case < ' ' or '<' or '>' or '&':
                    builder.Append("\\u00").Append(Hex[c >> 4]).Append(Hex[c & 0xF]);
                    break;
                case '\u2028' or '\u2029':
                    builder.Append("\\u202").Append(Hex[c & 0xF]);
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        builder.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // Go replaces invalid UTF-8 with U+FFFD; a lone surrogate is what that becomes here.
                        builder.Append("\\ufffd");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"');
    }

    /// <summary>Appends one state as runc's <c>containerState</c> struct marshals: fields in its order, annotations sorted, omitted when empty.</summary>
    public static StringBuilder AppendState(StringBuilder builder, StateView view)
    {
        builder.Append("{\"ociVersion\":");
        AppendString(builder, view.OciVersion).Append(",\"id\":");
        AppendString(builder, view.Id).Append(",\"pid\":").Append(view.Pid.ToString(CultureInfo.InvariantCulture)).Append(",\"status\":");
        AppendString(builder, view.Status).Append(",\"bundle\":");
        AppendString(builder, view.Bundle).Append(",\"rootfs\":");
        AppendString(builder, view.Rootfs).Append(",\"created\":");
        AppendString(builder, view.Created);
        if (view.Annotations is { Count: > 0 } annotations)
        {
            // Go marshals a map with its keys sorted bytewise (UTF-8), which ordinal UTF-16 order matches outside surrogates.
            builder.Append(",\"annotations\":{");
            bool first = true;
            foreach (KeyValuePair<string, string> pair in annotations.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!first)
                {
                    builder.Append(',');
                }

                first = false;
                AppendString(builder, pair.Key).Append(':');
                AppendString(builder, pair.Value);
            }

            builder.Append('}');
        }

        builder.Append(",\"owner\":");
        return AppendString(builder, view.Owner).Append('}');
    }
}
