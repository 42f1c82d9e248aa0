using System.Runtime.InteropServices;

namespace Serverless.Benchmarks;

/// <summary>The machine a bench or fault run ran on, as its report prints it.</summary>
public sealed record Machine(string Cpu, int Cores, double MemoryGiB, string Os)
{
    public static Machine Current()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return new Machine(cpu ?? RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount,
            Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1), RuntimeInformation.OSDescription);
    }

    public override string ToString() => $"{Cores} cores ({Cpu}), {MemoryGiB:0.#} GiB, {Os}";
}
