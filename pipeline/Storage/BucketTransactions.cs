namespace Serverless.Pipeline.Storage;

/// <summary>One channel's transaction as part of a bucket's.</summary>
public sealed record ChannelStep(ChannelRows Rows, LogTransaction Transaction);

/// <summary>An entity-group transaction of one bucket: a step of each of several channels, each with its own head.</summary>
public sealed record BucketTransaction(string Partition, IReadOnlyList<ChannelStep> Steps)
{
    public int Operations => Steps.Sum(s => s.Transaction.Operations);
}

/// <summary>
/// Packs the channels' transactions of a batch into their buckets' transactions (docs/storage.md). A channel's second
/// transaction needs the head its first one left (the ETag), so the plan is a list of rounds: round <c>r</c> holds the
/// <c>r</c>-th transaction of every channel that has one, packed per bucket in channel order, each bucket transaction
/// within <see cref="LogTransactions.MaxOperations"/> and <see cref="LogTransactions.MaxBytes"/>. A batch that touches
/// each channel a few times is one round of a few transactions per bucket. Pure.
/// </summary>
public static class BucketTransactions
{
    public static List<List<BucketTransaction>> Plan(IEnumerable<(ChannelRows Rows, IReadOnlyList<LogTransaction> Transactions)> channels)
    {
        var byBucket = channels.Where(c => c.Transactions.Count > 0)
            .GroupBy(c => c.Rows.Partition, StringComparer.Ordinal)
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .ToList();
        var rounds = new List<List<BucketTransaction>>();
        for (var round = 0; ; round++)
        {
            var transactions = new List<BucketTransaction>();
            foreach (var bucket in byBucket)
            {
                Pack(bucket.Key, bucket.Where(c => c.Transactions.Count > round).Select(c => new ChannelStep(c.Rows, c.Transactions[round])), transactions);
            }

            if (transactions.Count == 0)
            {
                return rounds;
            }

            rounds.Add(transactions);
        }
    }

    private static void Pack(string partition, IEnumerable<ChannelStep> steps, List<BucketTransaction> transactions)
    {
        var current = new List<ChannelStep>();
        var (operations, bytes) = (0, 0);
        foreach (var step in steps)
        {
            if (current.Count > 0 && (operations + step.Transaction.Operations > LogTransactions.MaxOperations || bytes + step.Transaction.Bytes > LogTransactions.MaxBytes))
            {
                transactions.Add(new BucketTransaction(partition, current));
                current = [];
                (operations, bytes) = (0, 0);
            }

            current.Add(step);
            operations += step.Transaction.Operations;
            bytes += step.Transaction.Bytes;
        }

        if (current.Count > 0)
        {
            transactions.Add(new BucketTransaction(partition, current));
        }
    }
}
