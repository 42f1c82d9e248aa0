using System.Buffers.Binary;

namespace Serverless.EventHubs.Storage;

/// <summary>
/// One partition: an append-only log on disk in segment files named by the offset of their first record. A record is
/// <c>[length:int32][checksum:uint32][sequence:int64][enqueued:int64 unix ms][message]</c>; its offset is its byte
/// position in the partition. An append is flushed to disk before it returns, so an acknowledged event survives a
/// restart; a torn record at the tail (a crash mid-write) is cut off when the log opens. Retention drops whole
/// segments whose newest event is older than the retention period.
/// </summary>
public sealed class PartitionLog : IDisposable
{
    private const int HeaderBytes = 4 + 4 + 8 + 8;
    public const long DefaultSegmentBytes = 16 * 1024 * 1024;

    private readonly string folder;
    private readonly TimeSpan retention;
    private readonly TimeProvider time;
    private readonly long segmentBytes;
    private readonly object gate = new();
    private readonly List<Segment> segments = [];
    private readonly List<Entry> entries = [];
    private TaskCompletionSource appended = NewSignal();
    private long nextSequence;
    private long nextOffset;

    public PartitionLog(string folder, TimeSpan retention, TimeProvider time, long segmentBytes = DefaultSegmentBytes)
    {
        this.folder = folder;
        this.retention = retention;
        this.time = time;
        this.segmentBytes = segmentBytes;
        Directory.CreateDirectory(folder);
        Open();
    }

    public string Id => Path.GetFileName(folder);

    /// <summary>Appends events in order, flushed to disk, and returns what they became.</summary>
    public IReadOnlyList<StoredEvent> Append(IReadOnlyList<Func<long, long, DateTimeOffset, byte[]>> encoders)
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            var stored = new List<StoredEvent>(encoders.Count);
            var segment = ActiveSegment();
            foreach (var encode in encoders)
            {
                var message = encode(nextSequence, nextOffset, now);
                if (segment.Length > 0 && segment.Length + HeaderBytes + message.Length > segmentBytes)
                {
                    segment.Stream.Flush(flushToDisk: true);
                    segment = StartSegment(nextOffset);
                }

                var record = new byte[HeaderBytes + message.Length];
                BinaryPrimitives.WriteInt32LittleEndian(record, message.Length);
                BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), nextSequence);
                BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(16), now.ToUnixTimeMilliseconds());
                message.CopyTo(record.AsSpan(HeaderBytes));
                BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Checksum(record.AsSpan(8)));
                segment.Stream.Write(record);

                var entry = new Entry(nextSequence, nextOffset, now, segment, segment.Length + HeaderBytes, message.Length);
                entries.Add(entry);
                segment.Length += record.Length;
                segment.Newest = now;
                stored.Add(new StoredEvent(nextSequence, nextOffset, now, message));
                nextSequence++;
                nextOffset += record.Length;
            }

            segment.Stream.Flush(flushToDisk: true);
            var signal = appended;
            appended = NewSignal();
            signal.TrySetResult();
            return stored;
        }
    }

    public PartitionState State
    {
        get
        {
            lock (gate)
            {
                if (entries.Count == 0)
                {
                    // Empty (never written, or emptied by retention): the last sequence number is still the last one given.
                    return new PartitionState(-1, nextSequence - 1, -1, DateTimeOffset.MinValue, true);
                }

                var last = entries[^1];
                return new PartitionState(entries[0].Sequence, last.Sequence, last.Offset, last.Enqueued, false);
            }
        }
    }

    /// <summary>The index of the first event the position selects (or the end of the log).</summary>
    public long Resolve(StartPosition position)
    {
        lock (gate)
        {
            var index = position.Kind switch
            {
                StartKind.Earliest => 0,
                StartKind.Latest => entries.Count,
                StartKind.Sequence => FirstIndex(e => position.Inclusive ? e.Sequence >= position.Value : e.Sequence > position.Value),
                StartKind.Offset => FirstIndex(e => position.Inclusive ? e.Offset >= position.Value : e.Offset > position.Value),
                StartKind.EnqueuedTime => FirstIndex(e => e.Enqueued.ToUnixTimeMilliseconds() > position.Value),
                _ => entries.Count,
            };
            return entries.Count == 0 ? nextSequence : index < entries.Count ? entries[index].Sequence : nextSequence;
        }
    }

    /// <summary>Up to <paramref name="max"/> events from sequence number <paramref name="from"/> on; empty when there are none yet.</summary>
    public IReadOnlyList<StoredEvent> Read(long from, int max)
    {
        List<Entry> selected;
        lock (gate)
        {
            var start = FirstIndex(e => e.Sequence >= from);
            selected = entries.Skip(start).Take(max).ToList();
        }

        return selected.Select(e =>
        {
            var message = new byte[e.Length];
            RandomAccess.Read(e.Segment.Reader, message, e.Position);
            return new StoredEvent(e.Sequence, e.Offset, e.Enqueued, message);
        }).ToList();
    }

    /// <summary>Completes when an event is appended after this call.</summary>
    public Task WhenAppended(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            return appended.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Removes segments (but the one being written) whose newest event is past retention.</summary>
    public int ApplyRetention()
    {
        lock (gate)
        {
            var cutoff = time.GetUtcNow() - retention;
            var expired = segments.Take(segments.Count - 1).TakeWhile(s => s.Newest < cutoff).ToList();
            foreach (var segment in expired)
            {
                entries.RemoveAll(e => e.Segment == segment);
                segments.Remove(segment);
                segment.Dispose();
                File.Delete(segment.Path);
            }

            return expired.Count;
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var segment in segments)
            {
                segment.Dispose();
            }

            segments.Clear();
        }
    }

    private void Open()
    {
        foreach (var path in Directory.GetFiles(folder, "*.log").Order(StringComparer.Ordinal))
        {
            var baseOffset = long.Parse(Path.GetFileNameWithoutExtension(path));
            var segment = new Segment(path, baseOffset);
            segments.Add(segment);
            Recover(segment);
        }

        if (segments.Count > 0)
        {
            var last = segments[^1];
            nextOffset = last.BaseOffset + last.Length;
            nextSequence = entries.Count > 0 ? entries[^1].Sequence + 1 : ReadNextSequenceMarker();
        }
    }

    // Reads a segment's records into the index; cuts off a torn tail.
    private void Recover(Segment segment)
    {
        var length = segment.Stream.Length;
        var header = new byte[HeaderBytes];
        long position = 0;
        while (position + HeaderBytes <= length)
        {
            RandomAccess.Read(segment.Reader, header, position);
            var size = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (size < 0 || position + HeaderBytes + size > length)
            {
                break;
            }

            var record = new byte[HeaderBytes - 8 + size];
            RandomAccess.Read(segment.Reader, record, position + 8);
            if (Checksum(record) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
            {
                break;
            }

            var sequence = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
            var enqueued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16)));
            entries.Add(new Entry(sequence, segment.BaseOffset + position, enqueued, segment, position + HeaderBytes, size));
            segment.Newest = enqueued;
            position += HeaderBytes + size;
        }

        if (position < length)
        {
            segment.Stream.SetLength(position);
        }

        segment.Length = position;
        segment.Stream.Seek(position, SeekOrigin.Begin);
    }

    // When retention removed every record, the next sequence number is kept in a small marker file.
    private long ReadNextSequenceMarker()
    {
        var marker = Path.Combine(folder, "next-sequence");
        return File.Exists(marker) && long.TryParse(File.ReadAllText(marker), out var next) ? next : 0;
    }

    private Segment ActiveSegment()
    {
        if (segments.Count == 0)
        {
            return StartSegment(nextOffset);
        }

        return segments[^1];
    }

    private Segment StartSegment(long baseOffset)
    {
        File.WriteAllText(Path.Combine(folder, "next-sequence"), nextSequence.ToString());
        var segment = new Segment(Path.Combine(folder, $"{baseOffset:D20}.log"), baseOffset);
        segments.Add(segment);
        return segment;
    }

    private int FirstIndex(Func<Entry, bool> predicate)
    {
        // Entries are in order of sequence, offset and time: binary search on the predicate's boundary.
        int low = 0, high = entries.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (predicate(entries[mid]))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        // FNV-1a: enough to tell a torn or garbled record from a whole one.
        var hash = 2166136261u;
        foreach (var b in data)
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed record Entry(long Sequence, long Offset, DateTimeOffset Enqueued, Segment Segment, long Position, int Length);

    private sealed class Segment : IDisposable
    {
        public Segment(string path, long baseOffset)
        {
            Path = path;
            BaseOffset = baseOffset;
            Stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.None);
            Reader = Stream.SafeFileHandle;
        }

        public string Path { get; }
        public long BaseOffset { get; }
        public FileStream Stream { get; }
        public Microsoft.Win32.SafeHandles.SafeFileHandle Reader { get; }
        public long Length { get; set; }
        public DateTimeOffset Newest { get; set; } = DateTimeOffset.MinValue;

        public void Dispose() => Stream.Dispose();
    }
}
