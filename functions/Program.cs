using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.Functions;
using Serverless.Functions.Api;

// An isolated worker: the Functions host starts this process, and it serves the [Function] methods of the feature folders.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ChannelRouteCheck>();
builder.Services.AddFunctionApp();
builder.Logging.AddFunctionAppLogFilters();
await builder.Build().RunAsync();
