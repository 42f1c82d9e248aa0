using Serverless.Pipeline;

namespace Serverless.Functions;

/// <summary>The function app's services: the update pipeline's, and problem details for the HTTP functions' errors.</summary>
public static class FunctionApp
{
    public static IServiceCollection AddFunctionApp(this IServiceCollection services) => services
        .AddUpdatePipeline()
        .AddProblemDetails();

    /// <summary>Framework chatter (every request, every outgoing call) only when asked for in <c>Logging__LogLevel__*</c>.</summary>
    public static ILoggingBuilder AddFunctionAppLogFilters(this ILoggingBuilder logging) => logging
        .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
        // The worker keeps no keys of its own: ASP.NET Core's warning about unencrypted key storage does not apply.
        .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error)
        .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
}
