using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Serverless.Functions;

// An isolated worker: the Functions host starts this process, and it serves the [Function] methods of the feature folders.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddFunctionApp();
builder.Logging.AddFunctionAppLogFilters();
await builder.Build().RunAsync();
