using System.Text;

namespace Serverless.Local.Publishing;

/// <summary>
/// A publisher's record of what it sent, in a folder: <c>attempted.jsonl</c> gets each event's body before its batch
/// is sent, <c>confirmed.txt</c> each event's id once the hub has accepted the batch. A publisher that stopped (or was
/// killed) mid-send resends, when it starts again, what it attempted and never saw confirmed; the pipeline stores a
/// resent event once. A checker reads both to know what was published with success. A line cut short by a crash is
/// ignored.
/// </summary>
public sealed class PublishJournal : IDisposable
{
    public const string AttemptedFile = "attempted.jsonl";
    public const string ConfirmedFile = "confirmed.txt";
    public const string RunFile = "run.txt";

    private readonly StreamWriter attemptedWriter;
    private readonly StreamWriter confirmedWriter;
    private readonly Lock gate = new();

    private PublishJournal(string folder, string run, IReadOnlyList<OutgoingUpdate> attempted, IReadOnlyList<OutgoingUpdate> unconfirmed)
    {
        Folder = folder;
        Run = run;
        Attempted = attempted;
        Unconfirmed = unconfirmed;
        attemptedWriter = new StreamWriter(Path.Combine(folder, AttemptedFile), append: true, new UTF8Encoding(false));
        confirmedWriter = new StreamWriter(Path.Combine(folder, ConfirmedFile), append: true, new UTF8Encoding(false));
    }

    public string Folder { get; }

    /// <summary>A tag for this journal's events, the same across restarts, so that a generator can resume its numbering.</summary>
    public string Run { get; }

    /// <summary>What was attempted before and never confirmed, in the order it was sent: to send first.</summary>
    public IReadOnlyList<OutgoingUpdate> Unconfirmed { get; }

    /// <summary>What was attempted before this start, in order (a resent event appears again).</summary>
    public IReadOnlyList<OutgoingUpdate> Attempted { get; }

    public static PublishJournal Open(string folder)
    {
        Directory.CreateDirectory(folder);
        var runFile = Path.Combine(folder, RunFile);
        if (!File.Exists(runFile))
        {
            File.WriteAllText(runFile, Guid.NewGuid().ToString("N")[..8]);
        }

        // A line cut short by a crash is dropped, so that what this run writes starts on a line of its own.
        DropCutLine(Path.Combine(folder, AttemptedFile));
        DropCutLine(Path.Combine(folder, ConfirmedFile));
        var attempted = ReadAttempted(folder);
        var confirmed = ReadConfirmed(folder);
        var unconfirmed = attempted.Where(u => u.Id is null || !confirmed.Contains(u.Id)).ToList();
        return new PublishJournal(folder, File.ReadAllText(runFile).Trim(), attempted, unconfirmed);
    }

    /// <summary>Every event attempted, in the order it was sent (a resend appears again).</summary>
    public static List<OutgoingUpdate> ReadAttempted(string folder) =>
        [.. ReadLines(Path.Combine(folder, AttemptedFile)).Select(OutgoingUpdate.Parse).OfType<OutgoingUpdate>()];

    /// <summary>The ids of every event the hub accepted.</summary>
    public static HashSet<string> ReadConfirmed(string folder) => [.. ReadConfirmedInOrder(folder)];

    /// <summary>The ids of every event the hub accepted, in the order the hub accepted them.</summary>
    public static List<string> ReadConfirmedInOrder(string folder) =>
        [.. ReadLines(Path.Combine(folder, ConfirmedFile)).Where(line => line.Length > 0)];

    /// <summary>Written and flushed to the disk before the events are sent.</summary>
    public void Attempting(IEnumerable<OutgoingUpdate> events) => Append(attemptedWriter, events.Select(e => e.Body));

    public void Confirmed(IEnumerable<OutgoingUpdate> events) => Append(confirmedWriter, events.Select(e => e.Id).OfType<string>());

    public void Dispose()
    {
        attemptedWriter.Dispose();
        confirmedWriter.Dispose();
    }

    private void Append(StreamWriter writer, IEnumerable<string> lines)
    {
        lock (gate)
        {
            foreach (var line in lines)
            {
                writer.Write(line);
                writer.Write('\n');
            }

            writer.Flush();
            ((FileStream)writer.BaseStream).Flush(flushToDisk: true);
        }
    }

    // A crash while a line was written leaves it without its end: cut the file back to its last whole line. What the
    // line held was never sent (attempted) or is sent again (confirmed), as if the line had not been begun.
    private static void DropCutLine(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        var length = file.Length;
        while (length > 0)
        {
            file.Position = length - 1;
            if (file.ReadByte() == '\n')
            {
                break;
            }

            length--;
        }

        if (length < file.Length)
        {
            file.SetLength(length);
        }
    }

    // Only whole lines: the last one may have been cut short by a crash.
    private static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        var text = File.ReadAllText(path);
        var end = text.LastIndexOf('\n');
        foreach (var line in text[..(end + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return line;
        }
    }
}
