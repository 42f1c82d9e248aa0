using Serverless.Pipeline.CloudEvents;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// A channel's part of an entity-group transaction: its new log rows, the key rows it writes out, and the head after it,
/// with a bound on its size on the wire.
/// </summary>
internal sealed record LogTransaction(IReadOnlyList<SequencedUpdate> Updates, IReadOnlyList<PendingValue> KeyRows, ChannelHead Head, int Bytes)
{
    /// <summary>The log rows, the key rows and the head.</summary>
    public int Operations => Updates.Count + KeyRows.Count + 1;
}

/// <summary>
/// Splits a channel's new updates into entity-group transactions: at most 100 operations and about 3 MiB each (4 MiB is
/// the limit), counting the head, its recent events and pending values, and every key row the transaction may write out.
/// Pure: the head as read and the new updates in, the transactions out, each with the head it leaves.
/// </summary>
internal static class LogTransactions
{
    public const int MaxOperations = 100;
    public const int MaxBytes = 3 * 1024 * 1024;

    public static List<LogTransaction> Plan(ChannelHead head, IReadOnlyList<SequencedUpdate> stored, int recentEvents)
    {
        // The head row with its recent events and pending values (base64 on the wire), and those values written out.
        var fixedBytes = 1024 + recentEvents * RecentEvents.EntryBytes * 2 + PendingValues.MaxBytes * 4;
        var transactions = new List<LogTransaction>();
        var current = new List<SequencedUpdate>();
        var keys = PendingKeys(head);
        var bytes = fixedBytes;

        foreach (var entry in stored)
        {
            var newKey = entry.Update.Key is { } key && !keys.Contains(key) ? 1 : 0;
            var size = UpdateRows.EstimatedBytes(entry) * (entry.Update.Key is null ? 1 : 2); // the log row, and the key row it may become
            if (current.Count > 0 && (Operations(current.Count + 1, keys.Count + newKey) > MaxOperations || bytes + size > MaxBytes))
            {
                head = Close(head, current, bytes, recentEvents, transactions);
                current.Clear();
                keys = PendingKeys(head);
                bytes = fixedBytes;
            }

            current.Add(entry);
            if (entry.Update.Key is { } added)
            {
                keys.Add(added);
            }

            bytes += size;
        }

        if (current.Count > 0)
        {
            Close(head, current, bytes, recentEvents, transactions);
        }

        return transactions;
    }

    // The head, each log row, and a key row for every key the transaction may write out: the pending ones and its own.
    private static int Operations(int updates, int keys) => 1 + updates + keys;

    private static HashSet<string> PendingKeys(ChannelHead head) => new(head.Pending.Values.Select(v => v.Key), StringComparer.Ordinal);

    private static ChannelHead Close(ChannelHead head, List<SequencedUpdate> updates, int bytes, int recentEvents, List<LogTransaction> transactions)
    {
        var pending = head.Pending.With(updates);
        var writeOut = pending.IsFull;
        var next = head.After(updates, recentEvents) with { Pending = writeOut ? PendingValues.Empty : pending, HasKeyRows = head.HasKeyRows || writeOut };
        transactions.Add(new LogTransaction([.. updates], writeOut ? [.. pending.Values] : [], next, bytes));
        return next;
    }
}
