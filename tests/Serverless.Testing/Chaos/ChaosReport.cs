using System.Text;
using Azure;
using Azure.Data.Tables;
using Serverless.Contracts.Api;
using Serverless.Contracts.Settings;
using Serverless.Local.Publishing;
using Serverless.Updates.Client;

namespace Serverless.Testing.Chaos;

/// <summary>What one stretch of a run (before the first fault, or a fault and what followed it) came to.</summary>
public sealed record FaultRow(string Fault, TimeSpan? FirstStored, TimeSpan? FirstPushed, TimeSpan? EveryChannelStored, int Published, int Lost, int Duplicated, int OutOfOrder);

/// <summary>
/// The verdict of a fault run, from the publisher's journal, the stored log (read through <c>/updates</c>) and each
/// follower's record: lost (confirmed, not stored or not applied), duplicated (stored or applied twice), out of order
/// (a channel's updates not in publishing order, or sequence numbers not 1..N), and dead letters.
/// </summary>
public sealed record ChaosReport(
    IReadOnlyList<FaultRow> Rows,
    int Published,
    int Stored,
    int DeadLetters,
    int ExpectedDeadLetters,
    IReadOnlyList<string> Problems,
    bool Settled,
    TimeSpan Elapsed)
{
    public int Lost => Rows.Sum(r => r.Lost);
    public int Duplicated => Rows.Sum(r => r.Duplicated);
    public int OutOfOrder => Rows.Sum(r => r.OutOfOrder);
    public bool Passed => Settled && Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && Problems.Count == 0;

    public static async Task<ChaosReport> CheckAsync(ProcessStack stack, IReadOnlyList<IChaosFollower> followers, string journal,
        IReadOnlyList<string> channels, IReadOnlyList<FaultResult> faults, bool settled, TimeSpan elapsed, BadInputFlood flood, IReadOnlyList<string> deaths)
    {
        var confirmedInOrder = PublishJournal.ReadConfirmedInOrder(journal).Distinct().ToList();
        var attempted = PublishJournal.ReadAttempted(journal).Where(u => u.Id is not null).GroupBy(u => u.Id!).ToDictionary(g => g.Key, g => g.First());
        var problems = deaths.Select(death => death.Split('\n')[0]).ToList();
        var anomalies = new List<(string Id, string Kind)>();

        var stored = new Dictionary<string, List<UpdateItem>>();
        foreach (var channel in channels)
        {
            stored[channel] = await UpdatesApi.ReadLogAsync(stack.Api, channel);
        }

        var storedIds = stored.Values.SelectMany(log => log.Select(u => u.Id)).ToList();
        var storedSet = storedIds.ToHashSet();
        anomalies.AddRange(confirmedInOrder.Where(id => !storedSet.Contains(id)).Select(id => (id, "lost")));
        anomalies.AddRange(storedIds.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => (g.Key, "duplicated")));
        problems.AddRange(storedIds.Where(id => !attempted.ContainsKey(id)).Select(id => $"stored {id}, which was never published"));
        foreach (var (channel, log) in stored)
        {
            if (!log.Select(u => u.Seq).SequenceEqual(Enumerable.Range(1, log.Count).Select(i => (long)i)))
            {
                problems.Add($"{channel}: sequence numbers are not 1..{log.Count}");
            }

            for (var i = 1; i < log.Count; i++)
            {
                if (Number(log[i].Id) < Number(log[i - 1].Id))
                {
                    anomalies.Add((log[i].Id, "out of order"));
                }
            }
        }

        // A follower's updates are known by their number in the run; the journal's ids end with it.
        var idOf = attempted.Keys.ToDictionary(Number);
        string Id(long n) => idOf.GetValueOrDefault(n) ?? $"?-{n}";
        foreach (var follower in followers)
        {
            var applied = await follower.AppliedAsync();
            foreach (var channel in follower.Channels)
            {
                var log = stored[channel];
                var seen = applied.GetValueOrDefault(channel) ?? [];
                var seenNumbers = seen.Select(a => a.N).ToHashSet();
                anomalies.AddRange(log.Where(u => !seenNumbers.Contains(Number(u.Id))).Select(u => (u.Id, "lost")));
                anomalies.AddRange(seen.GroupBy(a => a.N).Where(g => g.Count() > 1).Select(g => (Id(g.Key), "duplicated")));
                anomalies.AddRange(seen.Zip(seen.Skip(1)).Where(pair => pair.Second.Seq <= pair.First.Seq).Select(pair => (Id(pair.Second.N), "out of order")));
                var mismatched = seen.Where(a => a.Seq <= log.Count && Number(log[(int)a.Seq - 1].Id) != a.N).ToList();
                problems.AddRange(mismatched.Take(5).Select(a => $"{follower.Name} applied #{a.Seq} of {channel} as update {a.N}, which is stored as {log[(int)a.Seq - 1].Id}"));
            }
        }

        var rows = Stretches(faults, confirmedInOrder, anomalies);
        var deadLetters = await ReadDeadLettersAsync(stack.StorageConnectionString);
        problems.AddRange(await CheckFloodAsync(stack.Api, flood, deadLetters));
        return new ChaosReport(rows, confirmedInOrder.Count, storedSet.Count, deadLetters.Count, flood.Expected.Count(e => !e.Stored), problems, settled, elapsed);
    }

    // Nothing but the injected bad events is dead-lettered, each with its reason; the good events sent beside them are
    // stored once. A send whose outcome was unknown may have put some of them in the hub twice.
    private static async Task<IEnumerable<string>> CheckFloodAsync(HttpClient api, BadInputFlood flood, List<TableEntity> deadLetters)
    {
        var problems = new List<string>();
        var expected = flood.Expected.Where(e => !e.Stored).GroupBy(e => e.Reason!).ToDictionary(g => g.Key, g => g.Count());
        var actual = deadLetters.GroupBy(l => l.GetString("Reason") ?? "").ToDictionary(g => g.Key, g => g.Count());
        foreach (var reason in expected.Keys.Union(actual.Keys).Order())
        {
            var (want, got) = (expected.GetValueOrDefault(reason), actual.GetValueOrDefault(reason));
            if (got < want || got > want + flood.Ambiguous)
            {
                problems.Add($"dead letters '{reason}': {got}, expected {want}");
            }
        }

        var stored = new List<string>();
        foreach (var channel in flood.Channels)
        {
            stored.AddRange((await UpdatesApi.ReadLogAsync(api, channel)).Select(u => u.Id));
        }

        var good = flood.Expected.Where(e => e.Stored).Select(e => e.Id!).ToHashSet();
        problems.AddRange(good.Except(stored).Take(10).Select(id => $"the good event {id} sent among bad ones is not stored"));
        problems.AddRange(stored.GroupBy(id => id).Where(g => g.Count() > 1).Take(10).Select(g => $"the good event {g.Key} is stored {g.Count()} times"));
        return problems;
    }

    // Each anomaly counts in the stretch during which its update was confirmed (unconfirmed ones in the last).
    private static List<FaultRow> Stretches(IReadOnlyList<FaultResult> faults, List<string> confirmedInOrder, List<(string Id, string Kind)> anomalies)
    {
        var index = confirmedInOrder.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i);
        var stretches = new List<(string Fault, TimeSpan? Stored, TimeSpan? Pushed, TimeSpan? Every, int From)> { ("steady, before any fault", null, null, null, 0) };
        stretches.AddRange(faults.Select(f => (f.Fault, f.FirstStored, f.FirstPushed, f.EveryChannelStored, f.ConfirmedBefore)));
        var rows = new List<FaultRow>();
        for (var s = 0; s < stretches.Count; s++)
        {
            var from = stretches[s].From;
            var to = s + 1 < stretches.Count ? stretches[s + 1].From : int.MaxValue;
            bool InStretch(string id) => index.TryGetValue(id, out var i) ? i >= from && i < to : to == int.MaxValue;
            int Count(string kind) => anomalies.Count(a => a.Kind == kind && InStretch(a.Id));
            rows.Add(new FaultRow(stretches[s].Fault, stretches[s].Stored, stretches[s].Pushed, stretches[s].Every,
                Math.Min(to, confirmedInOrder.Count) - from, Count("lost"), Count("duplicated"), Count("out of order")));
        }

        return rows;
    }

    private static long Number(string id) => long.TryParse(id.AsSpan(id.LastIndexOf('-') + 1), out var n) ? n : -1;

    private static async Task<List<TableEntity>> ReadDeadLettersAsync(string storage)
    {
        var all = new List<TableEntity>();
        try
        {
            var table = new TableServiceClient(storage).GetTableClient(SettingDefaults.DeadLettersTable);
            await foreach (var entity in table.QueryAsync<TableEntity>(select: ["Reason", "EventId"]))
            {
                all.Add(entity);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }

        return all;
    }

    /// <summary>The run as a Markdown table, with the totals and any problem.</summary>
    public string ToTable()
    {
        static string Seconds(TimeSpan? span) => span is { } s ? $"{s.TotalSeconds:0.0} s" : "–";
        var text = new StringBuilder();
        text.AppendLine("| fault | first update stored after | first update pushed after | every channel stored after | published | lost | duplicated | out of order |");
        text.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var row in Rows)
        {
            text.AppendLine($"| {row.Fault} | {Seconds(row.FirstStored)} | {Seconds(row.FirstPushed)} | {Seconds(row.EveryChannelStored)} | {row.Published:N0} | {row.Lost} | {row.Duplicated} | {row.OutOfOrder} |");
        }

        text.AppendLine($"| **total** ({Elapsed.TotalMinutes:0.0} min) | | | | {Published:N0} ({Stored:N0} stored) | {Lost} | {Duplicated} | {OutOfOrder} |");
        text.AppendLine();
        text.AppendLine($"Dead letters: {DeadLetters:N0} (bad events sent: {ExpectedDeadLetters:N0}). Settled: {(Settled ? "yes" : "no (the followers or the store did not catch up in time)")}.");
        foreach (var problem in Problems.Take(20))
        {
            text.AppendLine($"- {problem}");
        }

        return text.ToString();
    }
}
