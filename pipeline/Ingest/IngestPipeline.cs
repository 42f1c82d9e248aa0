using System.Collections.Concurrent;
using System.Diagnostics;
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
/// The flow of a batch of updates: parse → validate and filter → plan per channel → store, a bucket of channels per
/// transaction → push per channel. A batch that cannot be stored throws, so the invocation fails and the host delivers
/// it again.
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
    // Channels planned, bucket transactions submitted and channels pushed at once.
    private const int MaxInParallel = 16;
    private const int MaxConflictRetries = 5;

    private readonly CloudEventParser parser = new(options.Value.MaxEventBytes, options.Value.DeadLetterBodyBytes);

    public async Task<IngestResult> RunAsync(IReadOnlyList<EventBody> events, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        using var batchActivity = IngestTracing.StartBatch(events);
        var (updates, rejections) = ParseAndValidate(events);
        var channels = updates.GroupBy(u => u.Channel).ToDictionary(g => g.Key, g => (IReadOnlyList<Update>)[.. g], StringComparer.Ordinal);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = MaxInParallel, CancellationToken = cancellationToken };
        var stores = new ConcurrentDictionary<string, Activity?>(StringComparer.Ordinal);
        var plans = new ConcurrentDictionary<string, ChannelPlan>(StringComparer.Ordinal);
        try
        {
            // Plan each channel against what this worker knows of it, or reads.
            await Parallel.ForEachAsync(channels, parallel, async (channel, token) =>
            {
                stores[channel.Key] = IngestTracing.StartStore(channel.Key, channel.Value.Count);
                var state = cache.Find(channel.Key, channel.Value) ?? await ReadStateAsync(channel.Key, channel.Value, token);
                plans[channel.Key] = ChannelPlanner.Plan(channel.Key, channel.Value, state, NewEpoch);
            });

            // Written before the commits move the channels' Event Hubs positions past them: a redelivery after that
            // skips them (ChannelPlan.Skipped). Their rows are keyed by the event's place, so writing them again is harmless.
            await deadLetters.WriteAsync([.. rejections, .. plans.Values.SelectMany(p => p.Rejected)], cancellationToken);

            // Commit, a bucket's channels in one transaction; a channel that met another writer is read again and
            // committed on its own.
            var commit = await log.CommitAsync([.. plans.Values.Select(p => new ChannelCommit(p.Channel, p.Base, p.Stored))], options.Value.DedupWindow, MaxInParallel, cancellationToken);
            foreach (var (channel, head) in commit.Heads)
            {
                cache.Committed(channel, head, plans[channel].Stored);
                Stored(stores, channel, plans[channel]);
            }

            await Parallel.ForEachAsync(commit.Conflicted, parallel, async (conflict, token) =>
            {
                LogConflict(conflict.Key, conflict.Value, 1);
                cache.Forget(conflict.Key);
                plans[conflict.Key] = await StoreAsync(conflict.Key, channels[conflict.Key], token);
                Stored(stores, conflict.Key, plans[conflict.Key]);
            });
        }
        catch (Exception ex)
        {
            // Part of the batch may be stored: what this worker knows of its channels is no longer sure.
            foreach (var channel in channels.Keys)
            {
                cache.Forget(channel);
            }

            foreach (var store in stores.Values)
            {
                store?.SetStatus(ActivityStatusCode.Error, ex.Message);
                store?.Dispose();
            }

            throw;
        }

        var pushFailures = 0;
        await Parallel.ForEachAsync(plans.Values, parallel, async (plan, token) =>
        {
            var toPush = plan.ToPush;
            using var push = IngestTracing.StartPush(plan.Channel, toPush);
            if (await pusher.PushAsync(plan.Channel, plan.Base.Epoch, toPush, token))
            {
                metrics.Pushed(toPush);
            }
            else
            {
                push?.SetStatus(ActivityStatusCode.Error, "push failed; clients catch up from storage");
                metrics.PushFailed();
                Interlocked.Increment(ref pushFailures);
            }
        });

        rejections.AddRange(plans.Values.SelectMany(p => p.Rejected));
        foreach (var rejection in rejections)
        {
            LogRejected(rejection.Reason, rejection.Channel, rejection.EventId, rejection.Origin.Locator, rejection.Detail);
        }

        var result = new IngestResult(
            events.Count, channels.Count, plans.Values.Sum(p => p.Stored.Count), plans.Values.Sum(p => p.Replayed.Count), rejections.Count, pushFailures,
            plans.Values.Sum(p => p.Skipped.Count));
        metrics.Stored(result.Stored);
        metrics.Replayed(result.Replayed);
        metrics.DeadLettered(result.Rejected);
        metrics.Batch(events.Count, TimeProvider.System.GetElapsedTime(started));
        LogIngested(result.Events, result.Stored, result.Replayed, result.Skipped, result.Rejected, result.Channels, result.PushFailures);
        return result;
    }

    private static void Stored(ConcurrentDictionary<string, Activity?> stores, string channel, ChannelPlan plan)
    {
        if (stores.TryRemove(channel, out var store))
        {
            IngestTracing.Stored(store, plan.Stored);
            store?.Dispose();
        }
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
    /// Stores one channel on its own, after its part of the batch's commit met another writer or a reset: reads its
    /// state again, plans and commits, up to <see cref="MaxConflictRetries"/> times.
    /// </summary>
    private async Task<ChannelPlan> StoreAsync(string channel, IReadOnlyList<Update> updates, CancellationToken cancellationToken)
    {
        for (var attempt = 2; ; attempt++)
        {
            var state = await ReadStateAsync(channel, updates, cancellationToken);
            var plan = ChannelPlanner.Plan(channel, updates, state, NewEpoch);
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
