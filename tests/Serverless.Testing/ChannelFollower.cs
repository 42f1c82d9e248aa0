using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Testing;

/// <summary>
/// The client rules of DESIGN.md for one channel: apply pushed updates in sequence order, drop what was seen
/// (<c>seq ≤ last</c>), fetch a gap from <c>/updates</c> when a push skips ahead, start over on a new epoch, and catch up
/// after (re)subscribing. What a web page does, in C#, for the tests and the terminal.
/// </summary>
public sealed class ChannelFollower(HttpClient functionApp, string channel)
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

                applied.Add(update.Clone());
                Last = seq;
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

    private async Task FetchAsync(long upTo)
    {
        while (Last < upTo)
        {
            var page = await functionApp.GetFromJsonAsync<JsonElement>($"/api/channels/{channel}/updates?after={Last}&limit={Math.Min(1000, upTo - Last)}");
            var updates = page.GetProperty("updates").EnumerateArray().ToList();
            if (updates.Count == 0)
            {
                return;
            }

            foreach (var update in updates)
            {
                applied.Add(update.Clone());
                Last = update.GetProperty("seq").GetInt64();
                Recovered++;
            }
        }
    }
}
