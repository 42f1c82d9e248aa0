using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Updates.Client;

/// <summary>
/// The client rules of DESIGN.md for one channel: apply pushed updates in sequence order, drop what was seen
/// (<c>seq ≤ last</c>), fetch a gap from <c>/updates</c> when a push skips ahead, start over on a new epoch, and catch up
/// after (re)subscribing. What a web page does, in C#, for the tests and the terminal.
/// <paramref name="onApplied"/> sees each update as it is applied, with whether it came through catch-up;
/// <paramref name="keepHistory"/> keeps every applied update in <see cref="Applied"/> (off for long-running clients).
/// </summary>
public sealed class ChannelFollower(HttpClient functionApp, string channel, Action<JsonElement, bool>? onApplied = null, bool keepHistory = true)
{
    private readonly List<JsonElement> applied = [];
    private readonly SemaphoreSlim gate = new(1, 1);

    public string Channel => channel;
    public string? Epoch { get; private set; }
    public long Last { get; private set; }

    /// <summary>Updates received through catch-up rather than push.</summary>
    public int Recovered { get; private set; }

    public IReadOnlyList<JsonElement> Applied => applied;

    /// <summary>After (re)subscribing: the channel stands at <paramref name="head"/> in <paramref name="epoch"/>; fetch what is missing.</summary>
    public async Task CatchUpAsync(string? epoch, long head)
    {
        await gate.WaitAsync();
        try
        {
            ResetIfNewEpoch(epoch);
            if (head > Last)
            {
                await FetchAsync(head);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Starts from where the channel stands now, without fetching what came before.</summary>
    public void SkipTo(string? epoch, long head)
    {
        Epoch = epoch;
        Last = head;
    }

    /// <summary>A pushed message for this channel.</summary>
    public async Task ApplyAsync(JsonElement message)
    {
        await gate.WaitAsync();
        try
        {
            ResetIfNewEpoch(message.GetProperty("epoch").GetString());
            foreach (var update in message.GetProperty("updates").EnumerateArray())
            {
                var seq = update.GetProperty("seq").GetInt64();
                if (seq <= Last)
                {
                    continue;
                }

                if (seq > Last + 1)
                {
                    await FetchAsync(seq - 1);
                }

                Add(update, recovered: false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private void ResetIfNewEpoch(string? epoch)
    {
        if (epoch is not null && epoch != Epoch)
        {
            if (Epoch is not null)
            {
                applied.Clear();
                Last = 0;
            }

            Epoch = epoch;
        }
    }

    private void Add(JsonElement update, bool recovered)
    {
        var kept = update.Clone();
        if (keepHistory)
        {
            applied.Add(kept);
        }

        Last = kept.GetProperty("seq").GetInt64();
        onApplied?.Invoke(kept, recovered);
    }

    private async Task FetchAsync(long upTo)
    {
        while (Last < upTo)
        {
            var page = await functionApp.GetFromJsonAsync<JsonElement>($"api/channels/{Uri.EscapeDataString(channel)}/updates?after={Last}&limit={Math.Min(1000, upTo - Last)}");
            var updates = page.GetProperty("updates").EnumerateArray().ToList();
            if (updates.Count == 0)
            {
                return;
            }

            foreach (var update in updates)
            {
                Add(update, recovered: true);
                Recovered++;
            }
        }
    }
}
