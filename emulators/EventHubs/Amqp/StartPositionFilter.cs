using System.Globalization;
using System.Text.RegularExpressions;
using Amqp.Types;
using Serverless.EventHubs.Storage;

namespace Serverless.EventHubs.Amqp;

/// <summary>
/// Reads a receiver's start position from its source filter: <c>apache.org:selector-filter:string</c> holding
/// <c>amqp.annotation.x-opt-offset &gt; '-1'</c> and the like, quoted (JS) or not (.NET), <c>&gt;</c> or <c>&gt;=</c>,
/// on offset, sequence number or enqueued time; <c>-1</c> is the start of the stream and <c>@latest</c> its end (§3.3).
/// </summary>
internal static partial class StartPositionFilter
{
    public static StartPosition Parse(Map? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return StartPosition.Earliest;
        }

        foreach (var key in filters.Keys)
        {
            var value = filters[key];
            var expression = value switch
            {
                DescribedValue described when IsSelector(key, described.Descriptor) => described.Value as string,
                string text when key is Symbol symbol && symbol == EventHubsAmqp.Receivers.SelectorFilter => text,
                _ => null,
            };
            if (expression is not null)
            {
                return ParseExpression(expression);
            }
        }

        return StartPosition.Earliest;
    }

    public static StartPosition ParseExpression(string expression)
    {
        var match = Expression().Match(expression);
        if (!match.Success)
        {
            throw new FormatException($"'{expression}' is not a start position filter");
        }

        var field = match.Groups["field"].Value;
        var inclusive = match.Groups["op"].Value == ">=";
        var text = match.Groups["value"].Value;
        if (text == "@latest")
        {
            return StartPosition.Latest;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"'{text}' is not a number in '{expression}'");
        }

        return field switch
        {
            "x-opt-offset" when value < 0 => StartPosition.Earliest,
            "x-opt-offset" => new StartPosition(StartKind.Offset, value, inclusive),
            "x-opt-sequence-number" when value < 0 && !inclusive => StartPosition.Earliest,
            "x-opt-sequence-number" => new StartPosition(StartKind.Sequence, value, inclusive),
            _ => new StartPosition(StartKind.EnqueuedTime, value, inclusive),
        };
    }

    private static bool IsSelector(object key, object descriptor) =>
        (key is Symbol symbol && symbol == EventHubsAmqp.Receivers.SelectorFilter)
        || descriptor is ulong code && (code == EventHubsAmqp.Receivers.SelectorFilterCodeJs || code == EventHubsAmqp.Receivers.SelectorFilterCodeDotNet)
        || (descriptor is Symbol name && name == EventHubsAmqp.Receivers.SelectorFilter);

    [GeneratedRegex(@"^\s*amqp\.annotation\.(?<field>x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(?<op>>=|>)\s*'?(?<value>@latest|-?\d+)'?\s*$")]
    private static partial Regex Expression();
}
