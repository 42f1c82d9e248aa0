using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.Functions;
using Serverless.Functions.Access;
using Serverless.Functions.Api;
using Serverless.Functions.Telemetry;

// An isolated worker: the Functions host starts this process, and it serves the [Function] methods of the feature folders.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// Who calls, then how much they may ask, then whether they may read the route's channel: before any function runs.
builder.UseMiddleware<CallerAuthentication>();
builder.UseMiddleware<RequestLimits>();
builder.UseMiddleware<ChannelRouteCheck>();
builder.Services.AddFunctionApp();
builder.Services.AddFunctionAppTelemetry(builder.Configuration);
// The host lets through bodies up to Azure's 100 MB. The worker reads them to the end, even past what a function
// takes, so that the function's 413 reaches the caller instead of a connection closed under the host's forwarding.
builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = FunctionApp.MaxRequestBodyBytes);
builder.Logging.AddFunctionAppLogFilters();
await builder.Build().RunAsync();
