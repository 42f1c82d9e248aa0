using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serverless.Local.Demo;

namespace Serverless.Local.Publishing;

/// <summary>
/// Where <c>publish</c> takes its updates from: a file or stdin holding CloudEvents (one JSON object per line, or one
/// JSON array), or the demo generator. A line that is not a JSON object is reported and skipped.
/// </summary>
public static class UpdateSource
{
    /// <summary>Generated updates (the demo feed, synthetic load) until cancelled.</summary>
    public static async IAsyncEnumerable<OutgoingUpdate> GenerateAsync(Func<JsonObject> next, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            yield return OutgoingUpdate.From(next());
            await Task.CompletedTask;
        }
    }

    /// <summary>Some updates first (what a journal never saw confirmed), then the source.</summary>
    public static async IAsyncEnumerable<OutgoingUpdate> Concat(IEnumerable<OutgoingUpdate> first, IAsyncEnumerable<OutgoingUpdate> then)
    {
        foreach (var update in first)
        {
            yield return update;
        }

        await foreach (var update in then)
        {
            yield return update;
        }
    }

    public static async IAsyncEnumerable<OutgoingUpdate> ReadAsync(TextReader reader, Action<string> reject, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var first = (char)Math.Max(0, Peek(reader));
        if (first == '[')
        {
            var array = JsonNode.Parse(await reader.ReadToEndAsync(cancellationToken)) as JsonArray
                ?? throw new InvalidDataException("the input starts with '[' but is not a JSON array");
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject cloudEvent)
                {
                    yield return OutgoingUpdate.From(cloudEvent);
                }
                else
                {
                    reject($"item {i + 1}: not a JSON object");
                }
            }

            yield break;
        }

        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonNode? node;
            try
            {
                node = JsonNode.Parse(line);
            }
            catch (JsonException ex)
            {
                reject($"line {number}: not JSON ({ex.Message})");
                continue;
            }

            if (node is JsonObject cloudEvent)
            {
                yield return OutgoingUpdate.From(cloudEvent);
            }
            else
            {
                reject($"line {number}: not a JSON object");
            }
        }
    }

    // Skips leading white space so that the first character tells an array from JSON lines.
    private static int Peek(TextReader reader)
    {
        while (reader.Peek() is var c && c >= 0 && char.IsWhiteSpace((char)c))
        {
            reader.Read();
        }

        return reader.Peek();
    }
}
