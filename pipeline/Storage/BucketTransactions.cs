namespace Serverless.Pipeline.Storage;

/// <summary>One channel's transaction as part of a bucket's.</summary>
internal sealed record ChannelStep(ChannelRows Rows, LogTransaction Transaction);

/// <summary>An entity-group transaction of one bucket: a step of each of several channels, each with its own head.</summary>
internal sealed record BucketTransaction(string Partition, IReadOnlyList<ChannelStep> Steps)
{
    public int Operations => Steps.Sum(s => s.Transaction.Operations);
}

/// <summary>A bucket's transactions of a batch, in rounds: a round's transactions may run at once, after the round before.</summary>
internal sealed record BucketPlan(string Partition, IReadOnlyList<IReadOnlyList<BucketTransaction>> Rounds);

/// <summary>
/// Packs the channels' transactions of a batch into their buckets' transactions (docs/storage.md). A channel's second
/// transaction needs the head its first one left (the ETag), so each bucket's plan is a list of rounds: round <c>r</c>
/// holds the <c>r</c>-th transaction of each of the bucket's channels that has one, packed in channel order, each
/// bucket transaction within <see cref="LogTransactions.MaxOperations"/> and <see cref="LogTransactions.MaxBytes"/>.
/// Buckets wait for nothing of each other. A batch that touches each channel a few times is one round of a few
/// transactions per bucket. Pure.
/// </summary>
internal static class BucketTransactions
{
    public static List<BucketPlan> Plan(IEnumerable<(ChannelRows Rows, IReadOnlyList<LogTransaction> Transactions)> channels) =>
        [.. channels.Where(c => c.Transactions.Count > 0)
            .GroupBy(c => c.Rows.Partition, StringComparer.Ordinal)
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(bucket => new BucketPlan(bucket.Key, Rounds(bucket.Key, [.. bucket])))];

    private static List<IReadOnlyList<BucketTransaction>> Rounds(string partition, IReadOnlyList<(ChannelRows Rows, IReadOnlyList<LogTransaction> Transactions)> channels)
    {
        var rounds = new List<IReadOnlyList<BucketTransaction>>();
        for (var round = 0; channels.Any(c => c.Transactions.Count > round); round++)
        {
            var transactions = new List<BucketTransaction>();
            Pack(partition, channels.Where(c => c.Transactions.Count > round).Select(c => new ChannelStep(c.Rows, c.Transactions[round])), transactions);
            rounds.Add(transactions);
        }

        return rounds;
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
