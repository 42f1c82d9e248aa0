using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.TestApp;

/// <summary>
/// Answers after <c>?seconds=</c> seconds, ignoring cancellation as a hung function would: what host.json
/// <c>functionTimeout</c> is for.
/// </summary>
public static class SlowFunction
{
    [Function("Slow")]
    public static async Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "slow")] HttpRequest request)
    {
        var seconds = int.TryParse(request.Query["seconds"], out var value) ? value : 0;
        await Task.Delay(TimeSpan.FromSeconds(seconds), CancellationToken.None);
        return new OkObjectResult(new { slept = seconds });
    }
}
