using Microsoft.Extensions.Options;
using Serverless.Functions.Ingest;
using Serverless.Functions.Push;
using Serverless.Functions.Settings;
using Serverless.Functions.Storage;

namespace Serverless.Functions;

/// <summary>The function app's services: validated options, Table Storage, the SignalR REST client and Ingest's steps.</summary>
public static class FunctionApp
{
    public static IServiceCollection AddFunctionApp(this IServiceCollection services)
    {
        services.AddValidatedOptions<StorageOptions>(StorageOptions.Bind);
        services.AddValidatedOptions<SignalROptions>(SignalROptions.Bind);
        services.AddValidatedOptions<IngestOptions>(IngestOptions.Bind);
        services.AddValidatedOptions<EventHubTriggerOptions>(EventHubTriggerOptions.Bind);
        services.AddProblemDetails();
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<StorageTables>();
        services.AddSingleton<UpdateLog>();
        services.AddSingleton<DeadLetters>();
        services.AddHttpClient<SignalRRestClient>(http => http.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<UpdatePusher>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton(provider => new UpdateRules(provider.GetRequiredService<IOptions<IngestOptions>>().Value));
        services.AddSingleton<IngestPipeline>();
        return services;
    }

    /// <summary>Framework chatter (every request, every outgoing call) only when asked for in <c>Logging__LogLevel__*</c>.</summary>
    public static ILoggingBuilder AddFunctionAppLogFilters(this ILoggingBuilder logging) => logging
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        // The worker keeps no keys of its own: ASP.NET Core's warning about unencrypted key storage does not apply.
        .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
        .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
}
