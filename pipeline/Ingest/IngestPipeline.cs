using System.Collections.Concurrent;
using Azure;
using Microsoft.Extensions.Options;
using Serverless.Contracts.CloudEvents;
using Serverless.Pipeline.CloudEvents;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Settings;
using Serverless.Pipeline.Storage;

namespace Serverless.Pipeline.Ingest;

/// <summary>What one Ingest invocation did.</summary>
public sealed record IngestResult(int Events, int Channels, int Stored, int Replayed, int Rejected, int PushFailures, int Skipped = 0)
{
    public override string ToString() =>
        $"{Events} events: {Stored} stored, {Replayed} redelivered and pushed again, {Skipped} redelivered and handled long before, {Rejected} dead-lettered, over {Channels} channels; {PushFailures} pushes failed";
}

/// <summary>
/// The flow of a batch of updates: parse → validate and filter → store per channel → push per channel.
/// A batch that cannot be stored throws, so the invocation fails and the host delivers it again.
/// </summary>
public sealed partial class IngestPipeline(
    IOptions<IngestOptions> options,
    UpdateRules rules,
    UpdateLog log,
    ChannelStateCache cache,
    DeadLetters deadLetters,
    UpdatePusher pusher,
    IngestMetrics metrics,
    ILogger<IngestPipeline> logger)
{
    private const int MaxChannelsInParallel = 16;
    private const int MaxConflictRetries = 5;

    private readonly CloudEventParser parser = new(options.Value.MaxEventBytes, options.Value.DeadLetterBodyBytes);

    public async Task<IngestResult> RunAsync(IReadOnlyList<EventBody> events, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        using var batchActivity = IngestTracing.StartBatch(events);
        var (updates, rejections) = ParseAndValidate(events);
        var channels = updates.GroupBy(u => u.Channel).ToList();
        var plans = new ConcurrentBag<ChannelPlan>();
        var pushFailures = 0;

        await Parallel.ForEachAsync(channels, new ParallelOptions { MaxDegreeOfParallelism = MaxChannelsInParallel, CancellationToken = cancellationToken },
            async (channel, token) =>
            {
                ChannelPlan plan;
                using (var store = IngestTracing.StartStore(channel.Key, channel.Count()))
                {
                    try
                    {
                        plan = await StoreAsync(channel.Key, [.. channel], token);
                    }
                    catch (Exception ex)
                    {
                        store?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.Message);
                        throw;
                    }

                    IngestTracing.Stored(store, plan.Stored);
                }

                plans.Add(plan);
                var toPush = plan.ToPush;
                using var push = IngestTracing.StartPush(plan.Channel, toPush);
                if (await pusher.PushAsync(plan.Channel, plan.Base.Epoch, toPush, token))
                {
                    metrics.Pushed(toPush);
                }
                else
                {
                    push?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "push failed; clients catch up from storage");
                    metrics.PushFailed();
                    Interlocked.Increment(ref pushFailures);
                }
            });

        // The channels' own rejections were written before their commits (StoreAsync).
        await deadLetters.WriteAsync(rejections, cancellationToken);
        rejections.AddRange(plans.SelectMany(p => p.Rejected));
        foreach (var rejection in rejections)
        {
            LogRejected(rejection.Reason, rejection.Channel, rejection.EventId, rejection.Origin.Locator, rejection.Detail);
        }

        var result = new IngestResult(
            events.Count, channels.Count, plans.Sum(p => p.Stored.Count), plans.Sum(p => p.Replayed.Count), rejections.Count, pushFailures,
            plans.Sum(p => p.Skipped.Count));
        metrics.Stored(result.Stored);
        metrics.Replayed(result.Replayed);
        metrics.DeadLettered(result.Rejected);
        metrics.Batch(events.Count, TimeProvider.System.GetElapsedTime(started));
        LogIngested(result.Events, result.Stored, result.Replayed, result.Skipped, result.Rejected, result.Channels, result.PushFailures);
        return result;
    }

    private (List<Update> Updates, List<Rejection> Rejections) ParseAndValidate(IReadOnlyList<EventBody> events)
    {
        var parsed = new List<Update>(events.Count);
        var rejections = new List<Rejection>();
        foreach (var body in events)
        {
            parser.Parse(body.Bytes.Span, body.Origin, parsed, rejections);
        }

        var allowed = new List<Update>(parsed.Count);
        foreach (var update in parsed)
        {
            if (rules.Check(update) is { } broken)
            {
                rejections.Add(new Rejection(broken.Reason, broken.Detail, update.RawBody, update.Origin, update.Channel, update.Id, update.Source));
            }
            else
            {
                allowed.Add(update);
            }
        }

        return (allowed, rejections);
    }

    /// <summary>
    /// Plans against the channel's stored state and commits. The state comes from what this worker last wrote or read
    /// of the channel when that covers the batch's keys (<see cref="ChannelStateCache"/>), else from storage; the head
    /// carries what tells a redelivered or resent event from a new one, so nothing else is read.
    /// </summary>
    private async Task<ChannelPlan> StoreAsync(string channel, IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        var state = cache.Find(channel, updates) ?? await ReadStateAsync(channel, updates, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var plan = ChannelPlanner.Plan(channel, updates, state, NewEpoch);

            // Written before the commit moves the channel's Event Hubs positions past them: a redelivery after that
            // skips them (ChannelPlan.Skipped). Their rows are keyed by the event's place, so writing them again is harmless.
            await deadLetters.WriteAsync(plan.Rejected, cancellationToken);
            try
            {
                var head = await log.CommitAsync(plan.Channel, plan.Base, plan.Stored, options.Value.DedupWindow, cancellationToken);
                cache.Committed(channel, head, plan.Stored);
                return plan;
            }
            // 409/412: another writer got there first; 404: the head this worker knew is gone (the channel was reset).
            catch (RequestFailedException ex) when ((StorageTables.IsConflict(ex) || ex.Status == 404) && attempt < MaxConflictRetries)
            {
                LogConflict(channel, ex.Status, attempt);
                cache.Forget(channel);
                state = await ReadStateAsync(channel, updates, cancellationToken);
            }
            catch
            {
                // Part of the batch may be stored: what this worker knows of the channel is no longer sure.
                cache.Forget(channel);
                throw;
            }
        }
    }

    private async Task<ChannelState> ReadStateAsync(string channel, IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        var state = await log.ReadStateAsync(channel, updates, cancellationToken);
        cache.Read(channel, state, updates);
        return state;
    }

    private static string NewEpoch() => Guid.NewGuid().ToString("N");

    [LoggerMessage(EventId = 10, EventName = "UpdatesIngested", Level = LogLevel.Information,
        Message = "Ingested {Events} events: {Stored} stored, {Replayed} redelivered, {Skipped} handled before, {Rejected} rejected, {Channels} channels, {PushFailures} failed pushes")]
    private partial void LogIngested(int events, int stored, int replayed, int skipped, int rejected, int channels, int pushFailures);

    [LoggerMessage(EventId = 11, EventName = "UpdateRejected", Level = LogLevel.Warning,
        Message = "Rejected event {EventId} for channel {Channel} at {Locator}: {Reason} ({Detail})")]
    private partial void LogRejected(string reason, string? channel, string? eventId, string locator, string detail);

    [LoggerMessage(EventId = 12, EventName = "ChannelWriteConflict", Level = LogLevel.Information,
        Message = "Channel {Channel} changed under this batch ({Status}); reading it again (attempt {Attempt})")]
    private partial void LogConflict(string channel, int status, int attempt);
}
