using Serverless.Testing.Chaos;
using Xunit.Abstractions;

namespace Serverless.Tests.WholeSystem;

/// <summary>
/// The short fault matrix: every part killed and started again once, Azurite cut off, the publisher killed mid-run, on a
/// couple of thousand updates with two thousand bad events among them, with every part in its own process. Nothing may
/// be lost, duplicated or out of order, for the store and for every follower, and only the bad events may be
/// dead-lettered, each with its reason.
/// </summary>
public sealed class FaultMatrixTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Nothing_is_lost_duplicated_or_reordered_when_each_part_fails_in_turn()
    {
        var logs = Directory.CreateTempSubdirectory("fault-matrix-logs-").FullName;
        var report = await new ChaosRun(ChaosOptions.Short with { BadEvents = 2000, LogFolder = logs }, output.WriteLine).RunAsync();

        output.WriteLine(report.ToTable());
        if (!report.Passed)
        {
            // What the host and its worker said last, so that a failure in CI can be read without running it again.
            foreach (var part in ProcessStack.PartNames)
            {
                var lines = File.ReadAllLines(Path.Combine(logs, $"{part}.log"));
                output.WriteLine($"--- {part}.log, last 150 of {lines.Length} lines ---");
                output.WriteLine(string.Join('\n', lines.TakeLast(150)));
            }
        }

        Directory.Delete(logs, recursive: true);
        Assert.True(report.Settled, report.ToTable());
        Assert.True(report.Published > 100, $"only {report.Published} updates were published");
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(0, report.OutOfOrder);
        Assert.True(report.ExpectedDeadLetters > 1500, $"only {report.ExpectedDeadLetters} bad events were sent");
        Assert.Empty(report.Problems);
    }
}
