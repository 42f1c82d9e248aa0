using Serverless.Testing.Chaos;
using Xunit.Abstractions;

namespace Serverless.Tests.WholeSystem;

/// <summary>
/// The short fault matrix, with every part in its own process: every part killed and started again once, Azurite cut
/// off, the publisher killed mid-run, on a couple of thousand updates with two thousand bad events among them; and the
/// function app's instances added, stopped, killed, and two killed at once. Nothing may be lost, duplicated or out of
/// order, for the store and for every follower, and only the bad events may be dead-lettered, each with its reason.
/// </summary>
[Collection(WholeSystemCollection.Name)]
public sealed class FaultMatrixTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Nothing_is_lost_duplicated_or_reordered_when_each_part_fails_in_turn()
    {
        var report = await RunAsync(ChaosOptions.Short with { BadEvents = 2000 });

        Assert.True(report.ExpectedDeadLetters > 1500, $"only {report.ExpectedDeadLetters} bad events were sent");
    }

    /// <summary>
    /// Partitions move between instances throughout: a channel whose partition leaves an instance and comes back is
    /// committed by a worker whose cached head another instance has moved on, which its ETag check must catch.
    /// </summary>
    [Fact]
    public async Task Nothing_is_lost_duplicated_or_reordered_when_instances_come_and_go()
    {
        var report = await RunAsync(ChaosOptions.InstanceMatrix);

        Assert.Equal(7, report.Rows.Count);
        Assert.All(report.Rows.Skip(1), row => Assert.NotNull(row.EveryChannelStored));
    }

    private async Task<ChaosReport> RunAsync(ChaosOptions options)
    {
        var logs = Directory.CreateTempSubdirectory("fault-matrix-logs-").FullName;
        var report = await new ChaosRun(options with { LogFolder = logs }, output.WriteLine).RunAsync();

        output.WriteLine(report.ToTable());
        if (!report.Passed)
        {
            // What the hosts and their workers said last, so that a failure in CI can be read without running it again.
            foreach (var log in Directory.GetFiles(logs, "*.log"))
            {
                var lines = File.ReadAllLines(log);
                output.WriteLine($"--- {Path.GetFileName(log)}, last 150 of {lines.Length} lines ---");
                output.WriteLine(string.Join('\n', lines.TakeLast(150)));
            }
        }

        Directory.Delete(logs, recursive: true);
        Assert.True(report.Settled, report.ToTable());
        Assert.True(report.Published > 100, $"only {report.Published} updates were published");
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(0, report.OutOfOrder);
        Assert.Empty(report.Problems);
        return report;
    }
}
