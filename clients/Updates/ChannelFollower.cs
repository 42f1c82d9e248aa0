using Serverless.Contracts.Api;
using Serverless.Contracts.Push;

namespace Serverless.Updates.Client;

/// <summary>Reads a page of a channel's log: the updates after <c>after</c>, at most <c>limit</c> of them.</summary>
public delegate Task<UpdatesPage> UpdatesPageReader(string channel, long after, int limit);

/// <summary>Reads the first page of a channel's latest values, with its epoch and head.</summary>
public delegate Task<LatestValuesPage> LatestReader(string channel);

/// <summary>
/// The client rules for one channel (docs/client-rules.md), as web/follower.js has them and with the same cases
/// (tests/follower-scenarios.json): apply updates in sequence order, drop what was seen (<c>seq ≤ last</c>), fetch a gap
/// from <c>/updates</c> when a push skips ahead and apply the push only if the gap was filled, start over on a new epoch
/// (told by a push, a subscription or a page), catch up after (re)subscribing, and when the log no longer holds what is
/// missing (410), load the latest values and go on from their head. What a web page does, in C#, for the tests and the
/// terminal. <paramref name="onApplied"/> sees each update as it is applied, with whether it was fetched rather than
/// pushed; <paramref name="onTrimmed"/> sees the first retained sequence number and the latest values it went on from;
/// <paramref name="keepHistory"/> keeps every applied update of the epoch in <see cref="Applied"/>.
/// </summary>
public sealed class ChannelFollower(
    string channel,
    UpdatesPageReader readPage,
    Action<UpdateItem, bool>? onApplied = null,
    Action<string>? onReset = null,
    bool keepHistory = true,
    LatestReader? readLatest = null,
    Action<long, LatestValuesPage>? onTrimmed = null)
{
    private readonly List<UpdateItem> applied = [];
    private readonly List<UpdateMessage> pending = [];
    private readonly SemaphoreSlim gate = new(1, 1);
    private bool started;

    /// <summary>A follower that reads pages from the function app's <c>/updates</c>.</summary>
    public ChannelFollower(HttpClient functionApp, string channel, Action<UpdateItem, bool>? onApplied = null, bool keepHistory = true)
        : this(channel, UpdatesApi.PageReader(functionApp), onApplied, onReset: null, keepHistory, UpdatesApi.LatestReader(functionApp))
    {
    }

    public string Channel => channel;
    public string? Epoch { get; private set; }
    public long Last { get; private set; }

    /// <summary>Updates that were fetched rather than pushed.</summary>
    public int Recovered { get; private set; }

    public IReadOnlyList<UpdateItem> Applied => applied;

    /// <summary>
    /// Joins at <paramref name="from"/> in <paramref name="epoch"/> (updates up to it are history the caller chose to
    /// skip): fetches the rest up to <paramref name="head"/>, then applies the pushes that came before the join.
    /// </summary>
    public Task StartAsync(string? epoch, long from, long head) => SerializedAsync(async () =>
    {
        Epoch = epoch;
        Last = from;
        await JoinAsync(head);
    });

    /// <summary>
    /// After (re)subscribing: the channel stands at <paramref name="head"/> in <paramref name="epoch"/>; fetch what is
    /// missing. A first catch-up is a join from the start of the log.
    /// </summary>
    public Task CatchUpAsync(string? epoch, long head) => SerializedAsync(async () =>
    {
        ResetIfNewEpoch(epoch);
        await JoinAsync(head);
    });

    /// <summary>Plain polling: fetch whatever follows the last update.</summary>
    public Task PollAsync() => SerializedAsync(() => FetchUntilAsync(long.MaxValue));

    /// <summary>A message pushed on <c>updates</c> for this channel; before the join it is kept, and applied after the join's history.</summary>
    public Task ApplyAsync(UpdateMessage message)
    {
        lock (pending)
        {
            if (!started)
            {
                pending.Add(message);
                return Task.CompletedTask;
            }
        }

        return SerializedAsync(() => ApplyMessageAsync(message));
    }

    private async Task JoinAsync(long head)
    {
        lock (pending)
        {
            started = true;
        }

        if (head > Last)
        {
            await FetchUntilAsync(head);
        }

        UpdateMessage[] early;
        lock (pending)
        {
            early = [.. pending];
            pending.Clear();
        }

        foreach (var message in early)
        {
            await ApplyMessageAsync(message);
        }
    }

    private async Task ApplyMessageAsync(UpdateMessage message)
    {
        ResetIfNewEpoch(message.Epoch);
        foreach (var update in message.Updates)
        {
            if (update.Seq <= Last)
            {
                continue;
            }

            if (update.Seq > Last + 1)
            {
                await FetchUntilAsync(update.Seq - 1);
            }

            // Store-then-push means the gap is in storage; if it could not be fetched (or a page began a new epoch), the
            // next push or catch-up fills it.
            if (update.Seq == Last + 1)
            {
                Add(update, fetched: false);
            }
        }
    }

    private async Task FetchUntilAsync(long upTo)
    {
        while (Last < upTo)
        {
            UpdatesPage page;
            try
            {
                page = await readPage(channel, Last, (int)Math.Min(UpdatesPage.MaxLimit, upTo - Last));
            }
            catch (HistoryTrimmedException trimmed) when (readLatest is not null)
            {
                await GoOnFromLatestAsync(trimmed.FirstRetained);
                continue;
            }

            ResetIfNewEpoch(page.Epoch);
            var before = Last;
            foreach (var update in page.Updates)
            {
                if (update.Seq == Last + 1)
                {
                    Add(update, fetched: true);
                }
            }

            // A page that moves nothing on ends the fetch: asking again would get the same page.
            if (Last == before || Last >= page.Head)
            {
                return;
            }
        }
    }

    /// <summary>
    /// What the follower misses is no longer kept: the latest values stand for it, and the follower goes on from their
    /// head. A head at or before where the follower is ends the fetch; the next push or catch-up goes on from there.
    /// </summary>
    private async Task GoOnFromLatestAsync(long firstRetained)
    {
        var latest = await readLatest!(channel);
        ResetIfNewEpoch(latest.Epoch);
        if (latest.Head <= Last)
        {
            throw new HistoryTrimmedException(channel, firstRetained);
        }

        // Applied keeps what came before: it now skips to the head, as the log does.
        Last = latest.Head;
        onTrimmed?.Invoke(firstRetained, latest);
    }

    private void ResetIfNewEpoch(string? epoch)
    {
        if (epoch is null || epoch == Epoch)
        {
            return;
        }

        var known = Epoch is not null;
        Epoch = epoch;
        if (known)
        {
            Last = 0;
            applied.Clear();
            onReset?.Invoke(epoch);
        }
    }

    private void Add(UpdateItem update, bool fetched)
    {
        if (keepHistory)
        {
            applied.Add(update);
        }

        Last = update.Seq;
        if (fetched)
        {
            Recovered++;
        }

        onApplied?.Invoke(update, fetched);
    }

    private async Task SerializedAsync(Func<Task> work)
    {
        await gate.WaitAsync();
        try
        {
            await work();
        }
        finally
        {
            gate.Release();
        }
    }
}
