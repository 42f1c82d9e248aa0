namespace Serverless.Benchmarks;

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
