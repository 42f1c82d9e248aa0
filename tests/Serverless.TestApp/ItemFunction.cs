using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.TestApp;

/// <summary>A route with inline constraints, which the host must check as ASP.NET Core routing does.</summary>
public static class ItemFunction
{
    [Function("Item")]
    public static IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id:int:min(1)}/{name:alpha:maxlength(8)?}")] HttpRequest request, int id, string? name) =>
        new OkObjectResult(new { id, name });
}
