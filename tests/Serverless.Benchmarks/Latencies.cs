namespace Serverless.Benchmarks;

public static class Latencies
{
    /// <summary>Count, median, p95, p99 and mean of times in milliseconds.</summary>
    public static string Summary(List<double> values)
    {
        values.Sort();
        double At(double q) => values[(int)Math.Min(values.Count - 1, Math.Floor(q * values.Count))];
        return $"n={values.Count} median={At(0.5):F1} ms p95={At(0.95):F1} ms p99={At(0.99):F1} ms mean={values.Average():F1} ms";
    }
}
