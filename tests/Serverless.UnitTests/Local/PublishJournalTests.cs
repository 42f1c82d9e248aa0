using Serverless.Local.Demo;
using Serverless.Local.Publishing;

namespace Serverless.UnitTests.Local;

/// <summary>What a publisher's journal gives back after a stop or a crash.</summary>
public sealed class PublishJournalTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("journal-").FullName;

    [Fact]
    public void What_was_attempted_and_not_confirmed_is_resent_and_a_line_cut_by_a_crash_is_ignored()
    {
        string run;
        using (var journal = PublishJournal.Open(folder))
        {
            run = journal.Run;
            var generator = new LoadGenerator(channels: 2, run);
            var sent = Enumerable.Range(0, 4).Select(_ => OutgoingUpdate.From(generator.Next())).ToList();
            journal.Attempting(sent[..2]);
            journal.Confirmed(sent[..2]);
            journal.Attempting(sent[2..]);
        }

        // The crash came in the middle of writing the next batch.
        File.AppendAllText(Path.Combine(folder, PublishJournal.AttemptedFile), """{"specversion":"1.0","id":"cut""");

        using var reopened = PublishJournal.Open(folder);

        Assert.Equal(run, reopened.Run);
        Assert.Equal([$"{run}-2", $"{run}-3"], reopened.Unconfirmed.Select(u => u.Id));
        Assert.Equal(["load.000", "load.001"], reopened.Unconfirmed.Select(u => u.PartitionKey));
        Assert.Equal(4, LoadGenerator.NextNumber(run, reopened.Attempted.Select(u => u.Id)));
    }

    /// <summary>
    /// A publisher started again after a crash that cut a line short writes its first lines after the cut one, not
    /// glued to it: otherwise the first events of the new run (sent, and confirmed) would be unreadable in the journal.
    /// </summary>
    [Fact]
    public void What_a_restarted_publisher_writes_after_a_cut_line_is_read_back_whole()
    {
        string run;
        List<OutgoingUpdate> sent;
        using (var journal = PublishJournal.Open(folder))
        {
            run = journal.Run;
            var generator = new LoadGenerator(channels: 2, run);
            sent = [.. Enumerable.Range(0, 4).Select(_ => OutgoingUpdate.From(generator.Next()))];
            journal.Attempting(sent[..2]);
            journal.Confirmed(sent[..2]);
        }

        File.AppendAllText(Path.Combine(folder, PublishJournal.AttemptedFile), sent[2].Body[..20]);
        File.AppendAllText(Path.Combine(folder, PublishJournal.ConfirmedFile), sent[2].Id![..5]);
        using (var reopened = PublishJournal.Open(folder))
        {
            reopened.Attempting(sent[2..]);
            reopened.Confirmed(sent[2..]);
        }

        Assert.Equal(sent.Select(u => u.Id), PublishJournal.ReadAttempted(folder).Select(u => u.Id));
        Assert.Equal(sent.Select(u => u.Id!), PublishJournal.ReadConfirmedInOrder(folder));
    }

    [Fact]
    public void A_load_run_goes_on_with_its_numbering_and_makes_the_same_event_for_the_same_number()
    {
        var first = new LoadGenerator(channels: 3, "run1").Next();
        var again = new LoadGenerator(channels: 3, "run1").Next();
        var resumed = new LoadGenerator(channels: 3, "run1", start: 7).Next();

        Assert.Equal(first.ToJsonString(), again.ToJsonString());
        Assert.Equal("run1-7", (string?)resumed["id"]);
        Assert.Equal("load.001", (string?)resumed["subject"]);
        Assert.Equal(0, LoadGenerator.NextNumber("run1", ["other-9", null]));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
