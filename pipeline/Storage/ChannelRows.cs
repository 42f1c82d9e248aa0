using System.Globalization;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// Where a channel's rows are in the updates table. Channels share <see cref="Buckets"/> partitions, by a hash of the
/// name, so that one entity-group transaction can carry a batch's updates of many channels (docs/storage.md). Each row
/// key leads with the channel name and '|', which no channel name holds, so a channel's rows are one range of its
/// bucket. Inside it, log rows sort first (zero-padded sequence numbers are all digits), then the head and the key rows
/// side by side, so that reading the head with some key rows scans only the key rows, however long the log.
/// </summary>
internal readonly record struct ChannelRows
{
    public const int Buckets = 32;

    private const string HeadName = "head";
    private const string KeyPrefix = "key:";

    // The first row key after every "key:…" row: ';' follows ':' in ordinal order.
    private const string KeysEndName = "key;";

    private readonly string prefix;

    public ChannelRows(string channel)
    {
        Channel = channel;
        Partition = BucketOf(channel);
        prefix = channel + "|";
    }

    public string Channel { get; }

    /// <summary>The channel's bucket: '$' and two digits. '$' is not allowed in a channel name.</summary>
    public string Partition { get; }

    /// <summary>The first row key of the channel's range; <see cref="End"/> is the first after it ('}' follows '|').</summary>
    public string Start => prefix;

    public string End => Channel + "}";

    public string Head => prefix + HeadName;

    public string KeysStart => prefix + KeyPrefix;

    public string KeysEnd => prefix + KeysEndName;

    public string Log(long sequence) => prefix + sequence.ToString("D19", CultureInfo.InvariantCulture);

    public string Key(string key) => KeysStart + key;

    /// <summary>The entity key of one of this channel's key rows.</summary>
    public string KeyOf(string rowKey) => rowKey[KeysStart.Length..];

    /// <summary>
    /// FNV-1a over the name's UTF-16 code units: stable across processes and versions, unlike string.GetHashCode, and
    /// spread well enough over 32 buckets for names that differ in a suffix.
    /// </summary>
    public static string BucketOf(string channel)
    {
        var hash = 2166136261u;
        foreach (var c in channel)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return "$" + (hash % Buckets).ToString("D2", CultureInfo.InvariantCulture);
    }
}
