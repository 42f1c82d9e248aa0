using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Serverless.Functions.Api;

namespace Serverless.Functions.NotFound;

/// <summary>
/// Every request under <c>/api</c> that no other function takes: 405 with <c>Allow</c> when its path is a route of
/// another method, else 404, both as problem details. The 404 names no routes: the API's routes are in its docs, not
/// in answers to whoever probes it. The host tries routes with more
/// literal segments first, and a catch-all last, so this never shadows a function.
/// </summary>
public sealed class NotFoundFunction(ApiRouteTable routes)
{
    public const string Name = "NotFound";

    [Function(Name)]
    public ProblemHttpResult Answer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = "{*path}")] HttpRequest request)
    {
        var allowed = routes.MethodsAt(request.Path);
        if (allowed.Count == 0)
        {
            return TypedResults.Problem(
                title: "Not found",
                detail: $"No function answers {request.Method} {request.Path}.",
                statusCode: StatusCodes.Status404NotFound);
        }

        request.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        return TypedResults.Problem(
            title: "Method not allowed",
            detail: $"{request.Path} takes {string.Join(" or ", allowed)}, not {request.Method}.",
            statusCode: StatusCodes.Status405MethodNotAllowed);
    }
}
