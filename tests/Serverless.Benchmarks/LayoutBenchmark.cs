using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Storage;
using Serverless.Testing;

namespace Serverless.Benchmarks;

/// <summary>
/// <c>layouts [updates] [rounds]</c>: candidate layouts of the updates table measured against each other, each on a fresh
/// Azurite, in rounds of alternating order, for the wide shape (1,000 channels over four Event Hubs partitions, so a
/// trigger batch of 256 holds 250 channels and one of 1,024 about 4 updates of each). Each layout writes what the
/// pipeline would per update (its log row, its key's row unless the head keeps the key's latest value, and its channel's
/// head with recent events), grouped into transactions as that layout allows: one partition per channel, or channels in
/// buckets of a hash of their name. "raw" is bench's raw capacity (Bench/RawTableCapacity.cs): log rows only, 100 to a
/// transaction. What docs/storage.md decided by.
/// </summary>
public static class LayoutBenchmark
{
    private const int Channels = 1000;
    private const int Partitions = 4;
    private const int KeysPerChannel = 4;
    private const int MaxOperations = 100;

    public static async Task RunAsync(int updates, int rounds)
    {
        var layouts = new (string Name, Func<IReadOnlyList<(string Channel, long Seq)>, List<List<TableTransactionAction>>> Plan, int InFlight, int Batch)[]
        {
            ("per channel, batches of 256", PerChannel, 64, 256),
            ("per channel, batches of 1024", PerChannel, 64, 1024),
            ("per channel, batches of 1024, latest values in the head", batch => NoKeys(PerChannel(batch)), 64, 1024),
            ("32 buckets, batches of 256", batch => Buckets(batch, 32), 64, 256),
            ("32 buckets, batches of 1024", batch => Buckets(batch, 32), 64, 1024),
            ("32 buckets, batches of 1024, latest values in the head", batch => NoKeys(Buckets(batch, 32)), 64, 1024),
            ("16 buckets, batches of 1024, latest values in the head", batch => NoKeys(Buckets(batch, 16)), 64, 1024),
            ("64 buckets, batches of 1024, latest values in the head", batch => NoKeys(Buckets(batch, 64)), 64, 1024),
            ("128 buckets, batches of 1024, latest values in the head", batch => NoKeys(Buckets(batch, 128)), 64, 1024),
        };

        const string Raw = "raw: log rows only, one partition per channel, 100 a transaction";
        var results = layouts.ToDictionary(l => l.Name, _ => new List<double>());
        results[Raw] = [];
        for (var round = 1; round <= rounds; round++)
        {
            await using (var fresh = await AzuriteServer.StartAsync())
            {
                results[Raw].Add(await Bench.RawTableCapacity.MeasureAsync(fresh.ConnectionString, Channels, updates, CancellationToken.None));
                Console.WriteLine($"round {round}: {Raw}: {results[Raw][^1]:N0} updates/s");
            }

            foreach (var layout in round % 2 == 1 ? layouts : layouts.Reverse())
            {
                // Each on a fresh Azurite: its speed drifts with what it has held before.
                await using var azurite = await AzuriteServer.StartAsync();
                var rate = await MeasureAsync(azurite.ConnectionString, updates, layout.Plan, layout.InFlight, layout.Batch);
                results[layout.Name].Add(rate);
                Console.WriteLine($"round {round}: {layout.Name}: {rate:N0} updates/s");
            }
        }

        Console.WriteLine();
        var raw = results[Raw].Sum();
        foreach (var (name, rates) in results.OrderBy(r => r.Key != Raw))
        {
            Console.WriteLine($"| {name} | {string.Join(", ", rates.Select(r => r.ToString("N0")))} | {rates.Sum() / raw:F2} |");
        }
    }

    private static async Task<double> MeasureAsync(string connectionString, int updates, Func<IReadOnlyList<(string Channel, long Seq)>, List<List<TableTransactionAction>>> plan, int inFlight, int batchSize)
    {
        var table = new TableClient(connectionString, "layout" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync();
        var transactions = Batches(updates, batchSize).SelectMany(plan).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(transactions, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (actions, token) =>
            await table.SubmitTransactionAsync(actions, token));
        var rate = updates / clock.Elapsed.TotalSeconds;
        await table.DeleteAsync();
        return rate;
    }

    // Update n goes to channel n mod 1,000 and channel c to partition c mod 4, so a partition's batch of 256 holds 250
    // channels, as in bench's wide shape.
    private static IEnumerable<IReadOnlyList<(string Channel, long Seq)>> Batches(int updates, int batchSize)
    {
        var perPartition = Enumerable.Range(0, Partitions).Select(_ => new List<(string, long)>()).ToArray();
        for (var n = 0; n < updates; n++)
        {
            perPartition[n % Channels % Partitions].Add(($"wide.{n % Channels:D4}", n / Channels + 1));
        }

        var batches = perPartition.Select(p => p.Chunk(batchSize).ToList()).ToList();
        for (var i = 0; i < batches.Max(b => b.Count); i++)
        {
            foreach (var partition in batches.Where(b => i < b.Count))
            {
                yield return partition[i];
            }
        }
    }

    private static List<List<TableTransactionAction>> PerChannel(IReadOnlyList<(string Channel, long Seq)> batch) =>
        [.. batch.GroupBy(u => u.Channel).Select(channel => Channel(channel.Key, LogKey, [.. channel]))];

    private static List<List<TableTransactionAction>> Buckets(IReadOnlyList<(string Channel, long Seq)> batch, int buckets) =>
        [.. batch.GroupBy(u => Bucket(u.Channel, buckets))
            .SelectMany(bucket => bucket.GroupBy(u => u.Channel)
                .Select(channel => Channel(bucket.Key, seq => $"{channel.Key}|{LogKey(seq)}", [.. channel], $"{channel.Key}|"))
                .Aggregate(new List<List<TableTransactionAction>> { new() }, (transactions, rows) =>
                {
                    if (transactions[^1].Count + rows.Count > MaxOperations)
                    {
                        transactions.Add([]);
                    }

                    transactions[^1].AddRange(rows);
                    return transactions;
                }))];

    // A channel's rows of one batch: its log rows, its keys' rows and its head, in partition `partition`.
    private static List<TableTransactionAction> Channel(string partition, Func<long, string> logKey, IReadOnlyList<(string Channel, long Seq)> updates, string prefix = "")
    {
        var actions = updates.Select(u => Add(Row(partition, logKey(u.Seq), u.Seq))).ToList();
        foreach (var key in updates.Select(u => $"k{u.Seq % KeysPerChannel}").Distinct())
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(partition, prefix + "key:" + key, updates[^1].Seq)));
        }

        var last = updates[^1].Seq;
        actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, prefix + "head")
        {
            ["LastSeq"] = last,
            ["Epoch"] = Guid.Empty.ToString("N"),
            ["Recent"] = RandomNumberGenerator.GetBytes((int)Math.Min(last, SettingDefaults.DedupWindow) * RecentEvents.EntryBytes),
            ["Positions"] = $"0={last}.0",
        }));
        return actions;
    }

    // The row keys of pipeline/Storage/ChannelRows.cs, after the channel's prefix.
    private static string LogKey(long seq) => seq.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    private static string Bucket(string channel, int buckets) =>
        $"$b{BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(channel))) % buckets:D3}";

    // A head whose pending values hold a few keys' latest updates writes no key rows (pipeline/Storage/PendingValues.cs).
    private static List<List<TableTransactionAction>> NoKeys(List<List<TableTransactionAction>> transactions) =>
        [.. transactions.Select(t => t.Where(a => !a.Entity.RowKey.Contains("key:")).ToList())];

    private static TableTransactionAction Add(TableEntity entity) => new(TableTransactionActionType.Add, entity);

    // A log row of bench's size: 300-byte updates.
    private static TableEntity Row(string partition, string rowKey, long seq) => new(partition, rowKey)
    {
        ["Seq"] = seq,
        ["EventId"] = Guid.NewGuid().ToString("N"),
        ["Source"] = "bench",
        ["Type"] = "bench.update",
        ["Time"] = DateTimeOffset.UtcNow,
        ["Key"] = $"k{seq % KeysPerChannel}",
        ["Version"] = seq,
        ["Data"] = Encoding.UTF8.GetBytes($"{{\"n\":{seq},\"note\":\"{new string('x', 180)}\"}}"),
    };
}
