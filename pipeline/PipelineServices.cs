using Microsoft.Extensions.Options;
using Serverless.Pipeline.Ingest;
using Serverless.Pipeline.Push;
using Serverless.Pipeline.Retention;
using Serverless.Pipeline.Settings;
using Serverless.Pipeline.Storage;

namespace Serverless.Pipeline;

/// <summary>The pipeline's services: validated options, Table Storage, the SignalR REST client and Ingest's steps.</summary>
public static class PipelineServices
{
    public static IServiceCollection AddUpdatePipeline(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Bind);
        services.AddValidatedOptions<SignalROptions>(SignalROptions.Bind);
        services.AddValidatedOptions<IngestOptions>(IngestOptions.Bind);
        services.AddValidatedOptions<EventHubTriggerOptions>(EventHubTriggerOptions.Bind);
        services.AddValidatedOptions<RetentionOptions>(RetentionOptions.Bind);
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<StorageTables>();
        services.AddSingleton<UpdateLog>();
        services.AddSingleton<ChannelStateCache>();
        services.AddSingleton<DeadLetters>();
        // Pushes that fail are logged by UpdatePusher; the factory's own log lines for every request cost a
        // scope and two entries per push.
        services.AddHttpClient<SignalRRestClient>(http => http.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers();
        services.AddSingleton<UpdatePusher>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(provider => new UpdateRules(provider.GetRequiredService<IOptions<IngestOptions>>().Value));
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<Compactor>();
        return services;
    }
}
