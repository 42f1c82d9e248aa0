using System.Text.Json;
using Serverless.Contracts.Api;
using Serverless.Contracts.Push;
using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Push;

/// <summary>
/// Pushes a channel's updates to its SignalR group as one <see cref="UpdateMessage"/>: one REST call per channel per
/// batch, split only where a message would pass the service's 1 MB body limit.
/// </summary>
public sealed partial class UpdatePusher(SignalRRestClient rest, ILogger<UpdatePusher> logger)
{
    // The REST body limit is 1 MB (docs/signalr-service.md); keep room for the envelope.
    public const int MaxBodyBytes = 1_000_000 - 8 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Pushes and reports whether every message was accepted; a failure is logged, never thrown.</summary>
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

        return ok;
    }

    /// <summary>
    /// The REST bodies <c>{"target":"updates","arguments":[message]}</c>, in sequence order, each under the size limit: the
    /// whole batch in one when it fits (the usual case), else halves until each fits (a single update always fits, being
    /// at most 64 KiB).
    /// </summary>
    public static IEnumerable<byte[]> Bodies(string channel, string epoch, IReadOnlyList<SequencedUpdate> updates)
    {
        var items = updates.Select(ToItem).ToArray();
        var pending = new Stack<ArraySegment<UpdateItem>>();
        pending.Push(items);
        while (pending.TryPop(out var part))
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(new ServiceInvocation(UpdateMessage.Target, [new UpdateMessage(channel, epoch, part)]), Json);
            if (body.Length <= MaxBodyBytes || part.Count == 1)
            {
                yield return body;
                continue;
            }

            var half = part.Count / 2;
            pending.Push(part[half..]);
            pending.Push(part[..half]);
        }
    }

    public static UpdateItem ToItem(SequencedUpdate entry) =>
        new(entry.Sequence, entry.Update.Id, entry.Update.Key, entry.Update.Type, entry.Update.Time, entry.Update.Data);

    /// <summary>The body of SignalR Service's send REST calls: the client method and its arguments.</summary>
    private sealed record ServiceInvocation(string Target, IReadOnlyList<UpdateMessage> Arguments);

    [LoggerMessage(EventId = 20, EventName = "PushFailed", Level = LogLevel.Warning,
        Message = "Push to channel {Channel} failed with {Status}: {Reason}. Clients catch up through /updates.")]
    private partial void LogPushFailed(string channel, int status, string reason);

    [LoggerMessage(EventId = 21, EventName = "PushUnreachable", Level = LogLevel.Warning,
        Message = "Push to channel {Channel} could not reach SignalR Service ({Error}). Clients catch up through /updates.")]
    private partial void LogPushUnreachable(string channel, string error);
}
