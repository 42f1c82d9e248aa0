namespace Serverless.FunctionsHost;

/// <summary>
/// HTTP functions with <c>enableForwardingHttpRequest</c>: the request goes to the handler as it came, at its own path,
/// and the handler's answer goes back unchanged (AZURE-CONTRACTS §1.2).
/// </summary>
public static class HttpForwarding
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Proxy-Connection", "TE", "Trailer",
    };

    public static void MapForwarding(this WebApplication app, FunctionAppDefinition definition, CustomHandlerProcess handler)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        app.Map($"/{definition.RoutePrefix}/{{**path}}", async context =>
        {
            var request = context.Request;
            using var forwarded = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(handler.BaseAddress, request.Path + request.QueryString));
            if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            {
                forwarded.Content = new StreamContent(request.Body);
            }

            foreach (var (name, values) in request.Headers)
            {
                if (!HopByHop.Contains(name) && !forwarded.Headers.TryAddWithoutValidation(name, values.ToArray()))
                {
                    forwarded.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
                }
            }

            using var response = await http.SendAsync(forwarded, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!HopByHop.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
    }
}
