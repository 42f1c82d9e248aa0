using Serverless.Functions.Access;
using Serverless.Functions.Api;
using Serverless.Functions.NotFound;
using Serverless.Functions.Subscribe;
using Serverless.Pipeline;

namespace Serverless.Functions;

/// <summary>The function app's services: the update pipeline's, and problem details for the HTTP functions' errors.</summary>
internal static class FunctionApp
{
    /// <summary>The host's route prefix for HTTP functions (host.json's <c>extensions.http.routePrefix</c>; <c>api</c> by default).</summary>
    public const string RoutePrefix = "api";

    /// <summary>Azure's limit for an HTTP trigger's request body: 100 MB (docs/functions-host.md#http-limits).</summary>
    public const long MaxRequestBodyBytes = 100 * 1024 * 1024;

    public static IServiceCollection AddFunctionApp(this IServiceCollection services) => services
        .AddUpdatePipeline()
        .AddApiAccess()
        .AddSingleton<SubscriptionLedger>()
        .AddProblemDetails()
        .AddSingleton(new ApiRouteTable(RoutePrefix, typeof(FunctionApp).Assembly, except: NotFoundFunction.Name));

    /// <summary>Framework chatter (every request, every outgoing call) only when asked for in <c>Logging__LogLevel__*</c>.</summary>
    public static ILoggingBuilder AddFunctionAppLogFilters(this ILoggingBuilder logging) => logging
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        // The worker keeps no keys of its own: ASP.NET Core's warning about unencrypted key storage does not apply.
        .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
        .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
}
