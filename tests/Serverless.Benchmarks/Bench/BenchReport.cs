using System.Globalization;
using System.Text;
using System.Text.Json;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Benchmarks.Bench;

/// <summary>
/// One workload shape: the pipeline's rate beside the raw store's for the same shape, one entity per update, and beside
/// the store's rate for the pipeline's own rows in the transactions its batches make (<see cref="RawTableCapacity"/>),
/// each of those measured before the pipeline and after it.
/// </summary>
public sealed record ShapeResult(ThroughputResult Pipeline, Bracket Raw, Bracket PipelineRows, int UpdatesPerTransaction)
{
    public double Ratio => Pipeline.Rate / Raw.Mean;

    /// <summary>How close the pipeline comes to what the store allows its own rows in its own transactions.</summary>
    public double RowsRatio => Pipeline.Rate / PipelineRows.Mean;
}

/// <summary>A rate of the store measured before the pipeline ran and after it.</summary>
public sealed record Bracket(double Before, double After)
{
    public double Mean => (Before + After) / 2;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Mean:N0} ({Before:N0} before, {After:N0} after)");
}

/// <summary>Everything one bench run measured, as printed and as written to JSON for comparing commits.</summary>
public sealed record BenchReport(
    DateTimeOffset Date, string Commit, Machine Machine, IReadOnlyList<ShapeResult> Shapes, LatencyResult? Latency, IReadOnlyList<string> Failures,
    bool StorageInMemory = false)
{
    // The targets docs/performance.md states: wide at least half the raw rate, hot at least 0.7 of it.
    public static double RatioTarget(string workload) => workload == "hot" ? 0.7 : 0.5;
    public const double P99TargetMilliseconds = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public IEnumerable<string> Wrong => Failures.Concat(Shapes.SelectMany(s => s.Pipeline.Wrong)).Concat(Latency?.Wrong ?? []);

    /// <summary>The commit checked out, with "+changes" when tracked files differ from it.</summary>
    public static async Task<string> CurrentCommitAsync()
    {
        var commit = await GitAsync("rev-parse", "--short", "HEAD");
        return commit is null ? "unknown" : await GitAsync("status", "--porcelain", "--untracked-files=no") is { Length: > 0 } ? commit + "+changes" : commit;
    }

    private static async Task<string?> GitAsync(params string[] arguments)
    {
        try
        {
            var git = await ChildProcess.RunAsync("git", arguments, TestRepo.Layout.Root, TimeSpan.FromSeconds(30));
            return git.ExitCode == 0 ? git.Output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToTable()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"bench, {Date:yyyy-MM-dd}, commit {Commit}, {Machine}{(StorageInMemory ? ", Azurite in memory" : "")}");
        text.AppendLine();
        if (Shapes.Count > 0)
        {
            text.AppendLine("| workload | pipeline, end to end | raw Table Storage, same run: the mean of before and after the pipeline | ratio | the store alone, the pipeline's rows and transactions, the same mean | pipeline ÷ that |");
            text.AppendLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var shape in Shapes)
            {
                var p = shape.Pipeline;
                text.AppendLine(c, $"| {p.Workload}: {p.Updates:N0} updates over {p.Channels:N0} channels | {p.Rate:N0} updates/s ({p.EndToEndSeconds:F1} s; published in {p.PublishSeconds:F1} s; batches of {p.MeanBatchSize:F0}) | {shape.Raw} entities/s | {shape.Ratio:F2} (target ≥ {RatioTarget(p.Workload)}) | {shape.PipelineRows} updates/s ({shape.UpdatesPerTransaction} per transaction) | {shape.RowsRatio:F2} |");
            }

            text.AppendLine();
        }

        if (Latency is { } l)
        {
            text.AppendLine(c, $"Latency: {l.Rate:N0} updates/s over {l.Channels} channels for {l.Seconds:0} s (published at {l.PublishedRate:N0}/s), {l.Measured:N0} pushed updates measured after a {PipelineLatency.WarmUp.TotalSeconds:0} s warm-up:");
            text.AppendLine();
            text.AppendLine("| stage | p50 | p95 | p99 | max | n |");
            text.AppendLine("| --- | --- | --- | --- | --- | --- |");
            void Row(string stage, Distribution d) => text.AppendLine(c, $"| {stage} | {d.P50:F0} ms | {d.P95:F0} ms | {d.P99:F0} ms | {d.Max:F0} ms | {d.Count:N0} |");
            Row("publish → enqueued (per send)", l.Stages.PublishToEnqueued);
            Row("enqueued → invocation (per send)", l.Stages.EnqueuedToInvocation);
            Row("store (per channel and batch)", l.Stages.Store);
            Row("push (per channel and batch)", l.Stages.Push);
            Row(string.Create(c, $"whole batch (mean {l.Stages.MeanBatchSize:F0} events)"), l.Stages.Batch);
            Row($"**publish → client** (target p99 < {P99TargetMilliseconds:0} ms)", l.EndToEnd);
            text.AppendLine();
        }

        var wrong = Wrong.ToList();
        text.AppendLine(wrong.Count == 0
            ? "Every channel's stored head equals what was sent, and the client got every update once and in order."
            : $"WRONG: {string.Join("; ", wrong.Take(20))}");
        return text.ToString();
    }
}
