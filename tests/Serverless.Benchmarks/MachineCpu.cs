namespace Serverless.Benchmarks;

/// <summary>The machine's busy CPU time so far, from <c>/proc/stat</c> (every core, every process): what a run cost the machine.</summary>
public static class MachineCpu
{
    // USER_HZ, the unit of /proc/stat, is 100 on Linux.
    private const double TicksPerSecond = 100;

    /// <summary>Busy seconds over all cores (user, nice, system, irq, softirq, steal); null where there is no /proc/stat.</summary>
    public static double? BusySeconds()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(long.Parse).ToArray();
        // user nice system idle iowait irq softirq steal …
        return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / TicksPerSecond;
    }
}
