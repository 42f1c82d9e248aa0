using System.Text.Json;
using Serverless.Functions.Ingest;

namespace Serverless.Functions.Push;

/// <summary>
/// Pushes a channel's updates to its SignalR group: one REST call per channel per batch, split only where a message
/// would pass the service's 1 MB body limit.
/// </summary>
public sealed partial class UpdatePusher(SignalRRestClient rest, IngestMetrics metrics, ILogger<UpdatePusher> logger)
{
    // The REST body limit is 1 MB (AZURE-CONTRACTS §2.4); keep room for the envelope.
    public const int MaxBodyBytes = 1_000_000 - 8 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Pushes and reports whether every message was accepted; a failure is logged and counted, never thrown.</summary>
    public async Task<bool> PushAsync(string channel, string epoch, IReadOnlyList<SequencedUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return true;
        }

        var ok = true;
        var path = SignalRRoutes.GroupSend(rest.Hub, channel);
        foreach (var body in Bodies(channel, epoch, updates))
        {
            try
            {
                using var response = await rest.SendAsync(HttpMethod.Post, path, () => new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } }, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    ok = false;
                    LogPushFailed(channel, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ok = false;
                LogPushUnreachable(channel, ex.Message);
            }
        }

        if (ok)
        {
            metrics.Pushed(updates.Count);
        }
        else
        {
            metrics.PushFailed();
        }

        return ok;
    }

    /// <summary>The REST bodies <c>{"target":"updates","arguments":[message]}</c>, each under the size limit.</summary>
    public static IEnumerable<byte[]> Bodies(string channel, string epoch, IReadOnlyList<SequencedUpdate> updates)
    {
        var items = updates.Select(u => JsonSerializer.SerializeToUtf8Bytes(ToItem(u), Json)).ToList();
        var start = 0;
        while (start < items.Count)
        {
            var size = 0;
            var end = start;
            while (end < items.Count && (end == start || size + items[end].Length + 1 <= MaxBodyBytes))
            {
                size += items[end].Length + 1;
                end++;
            }

            yield return Body(channel, epoch, items, start, end);
            start = end;
        }
    }

    public static UpdateItem ToItem(SequencedUpdate entry) =>
        new(entry.Sequence, entry.Update.Id, entry.Update.Key, entry.Update.Type, entry.Update.Time, entry.Update.Data);

    private static byte[] Body(string channel, string epoch, List<byte[]> items, int start, int end)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("target", UpdateMessage.Target);
            writer.WriteStartArray("arguments");
            writer.WriteStartObject();
            writer.WriteString("channel", channel);
            writer.WriteString("epoch", epoch);
            writer.WriteStartArray("updates");
            for (var i = start; i < end; i++)
            {
                writer.WriteRawValue(items[i], skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 20, EventName = "PushFailed", Level = LogLevel.Warning,
        Message = "Push to channel {Channel} failed with {Status}: {Reason}. Clients catch up through /updates.")]
    private partial void LogPushFailed(string channel, int status, string reason);

    [LoggerMessage(EventId = 21, EventName = "PushUnreachable", Level = LogLevel.Warning,
        Message = "Push to channel {Channel} could not reach SignalR Service ({Error}). Clients catch up through /updates.")]
    private partial void LogPushUnreachable(string channel, string error);
}
