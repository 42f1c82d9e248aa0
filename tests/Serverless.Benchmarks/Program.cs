using Serverless.Benchmarks;
using Serverless.Benchmarks.Bench;

// Benchmarks, not tests: they print timings and assert nothing.
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- ingest [iterations]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- broadcast [clients] [broadcasts]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- eventhubs [count] [size]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- page [rate] [seconds]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- up
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- layouts [updates] [rounds]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- chaos [minutes] [rate] [channels] [--kill-azurite] [--no-bad-events]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- retention [rate] [channels] [seconds] [minutes]
//   dotnet run -c Release --project tests/Serverless.Benchmarks -- bench [--updates N] [--rate R] [--seconds S] [--only hot,wide,latency] [--json FILE] [--spans FILE]
var which = args.Length > 0 ? args[0] : "ingest";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index]) : fallback;
switch (which)
{
    case "ingest":
        await IngestBenchmark.RunAsync(Arg(1, 200));
        break;
    case "broadcast":
        await BroadcastBenchmark.RunAsync(Arg(1, 100), Arg(2, 2000));
        break;
    case "eventhubs":
        await EventHubsBenchmark.RunAsync(Arg(1, 50_000), Arg(2, 1024));
        break;
    case "page":
        await PageBenchmark.RunAsync(Arg(1, 100), Arg(2, 60));
        break;
    case "up":
        await UpBenchmark.RunAsync();
        break;
    case "layouts":
        await LayoutBenchmark.RunAsync(Arg(1, 20_000), Arg(2, 2));
        break;
    case "chaos":
        return await ChaosCommand.RunAsync(args[1..]);
    case "retention":
        await RetentionBenchmark.RunAsync(Arg(1, 200), Arg(2, 100), Arg(3, 60), Arg(4, 10));
        break;
    case "bench":
        return await BenchCommand.RunAsync(args[1..]);
    case "instances":
        await InstancesBenchmark.RunAsync(Arg(1, 20_000), args.Length > 2 ? [.. args[2].Split(',').Select(int.Parse)] : [1, 2, 4], Arg(3, 200));
        break;
    default:
        Console.Error.WriteLine("Usage: ingest [iterations] | broadcast [clients] [broadcasts] | eventhubs [count] [size] | page [rate] [seconds] | up | layouts [updates] [rounds] | chaos [minutes] [rate] [channels] [--kill-azurite] [--no-bad-events] [--instances] | retention [rate] [channels] [seconds] [minutes] | instances [updates] [counts, e.g. 1,2,4] [rate] | bench [--updates N] [--rate R] [--seconds S] [--only hot,wide,latency] [--json FILE] [--spans FILE]");
        return 2;
}

return 0;
