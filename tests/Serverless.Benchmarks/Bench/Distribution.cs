namespace Serverless.Benchmarks.Bench;

/// <summary>Percentiles of a set of times, in milliseconds (nearest rank).</summary>
public sealed record Distribution(int Count, double P50, double P95, double P99, double Max)
{
    public static Distribution Of(IEnumerable<TimeSpan> times) => Of(times.Select(t => t.TotalMilliseconds));

    public static Distribution Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Distribution(0, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double At(double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Distribution(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    public override string ToString() => Count == 0 ? "–" : $"{P50:F0} / {P95:F0} / {P99:F0} / {Max:F0} ms";
}
