using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serverless.Pipeline;
using Serverless.Pipeline.Ingest;

namespace Serverless.Testing;

/// <summary>
/// The app's Ingest steps (parse, filter, store in Azurite, push to the local SignalR Service) built from its own
/// service registration, for tests of storage semantics that need batches at chosen Event Hubs positions (a
/// redelivery, a duplicate from elsewhere). Runs through the host are in the end-to-end tests.
/// </summary>
public sealed class InProcessIngest : IAsyncDisposable
{
    private readonly ServiceProvider services;

    public InProcessIngest(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key.Replace("__", ConfigurationPath.KeyDelimiter), s.Value)))
            .Build();
        services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
            .AddUpdatePipeline()
            .BuildServiceProvider();
    }

    public IngestPipeline Pipeline => services.GetRequiredService<IngestPipeline>();

    public IngestMetrics Metrics => services.GetRequiredService<IngestMetrics>();

    /// <summary>The app's compaction (docs/retention.md), on the same storage.</summary>
    public Serverless.Pipeline.Retention.Compactor Compactor => services.GetRequiredService<Serverless.Pipeline.Retention.Compactor>();

    /// <summary>The factory of this pipeline's meters: a <c>MeterListener</c> tells them from other pipelines' by it.</summary>
    public System.Diagnostics.Metrics.IMeterFactory Meters => services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();

    public Task<IngestResult> RunAsync(IReadOnlyList<EventBody> batch) => Pipeline.RunAsync(batch, CancellationToken.None);

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
