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

/// <summary>CPU seconds used so far by each kind of process on the machine, by what its command line holds.</summary>
public static class PartCpu
{
    private static readonly (string Part, string Marker)[] Parts =
    [
        ("azurite", "azurite"), ("worker", "Serverless.Functions"), ("host", " host "), ("eventhubs", " eventhubs "),
        ("signalr", " signalr "), ("bench", "Serverless.Benchmarks"),
    ];

    public static Dictionary<string, double> Seconds()
    {
        var used = new Dictionary<string, double>();
        foreach (var folder in Directory.Exists("/proc") ? Directory.GetDirectories("/proc") : [])
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(folder), out _))
                {
                    continue;
                }

                var command = File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ');
                var part = Parts.FirstOrDefault(p => command.Contains(p.Marker, StringComparison.Ordinal)).Part ?? "other";
                // Fields 14 and 15 of /proc/[pid]/stat, after the command in parentheses: user and system ticks.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                used[part] = used.GetValueOrDefault(part) + (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0;
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
        }

        return used;
    }

    /// <summary>What each part used between two readings, most first.</summary>
    public static string Between(Dictionary<string, double> before, Dictionary<string, double> after) =>
        string.Join(", ", after.Select(p => (p.Key, Used: p.Value - before.GetValueOrDefault(p.Key))).Where(p => p.Used > 0.05)
            .OrderByDescending(p => p.Used).Select(p => $"{p.Key} {p.Used:0.0} s"));
}
