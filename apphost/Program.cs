using Serverless.AppHost;
using Serverless.AppHost.Parts;

// The local pipeline, declared once (docs/local.md): each part with its endpoints, the function app's settings following
// from them by reference, and the Aspire dashboard with every part's logs and the app's traces and metrics.
var builder = DistributedApplication.CreateBuilder(args);
var run = await LocalRun.PrepareAsync(builder.Configuration);

var storage = builder.AddAzurite(run);
var eventHubs = builder.AddLocalEventHubs(run);
var signalR = builder.AddLocalSignalR(run);
var functions = builder.AddFunctionApp(run, storage, eventHubs, signalR);
builder.AddWebClient(run, functions);
if (run.Options.Demo.Rate > 0)
{
    builder.AddDemoFeed(run, eventHubs, functions);
}

builder.Build().Run();
