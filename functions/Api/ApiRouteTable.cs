using System.Reflection;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;

namespace Serverless.Functions.Api;

/// <summary>
/// The app's HTTP routes, read once from its own <c>[Function]</c> methods' <c>[HttpTrigger]</c> parameters, so that a
/// request no function takes can be told which methods its path does take (405) or that the path is unknown (404).
/// </summary>
public sealed class ApiRouteTable
{
    private readonly List<(string Route, TemplateMatcher Matcher, string[] Methods)> routes;

    /// <param name="routePrefix">The host's route prefix (<c>api</c>).</param>
    /// <param name="functions">The assembly whose functions to read.</param>
    /// <param name="except">A function to leave out: the one that answers with this table.</param>
    public ApiRouteTable(string routePrefix, Assembly functions, string except)
    {
        routes = [.. functions.GetTypes()
            .SelectMany(type => type.GetMethods())
            .Where(method => method.GetCustomAttribute<FunctionAttribute>()?.Name is { } name && name != except)
            .SelectMany(method => method.GetParameters())
            .Select(parameter => parameter.GetCustomAttribute<HttpTriggerAttribute>())
            .OfType<HttpTriggerAttribute>()
            .GroupBy(trigger => $"{routePrefix}/{trigger.Route}".Trim('/'))
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => (
                group.Key,
                new TemplateMatcher(TemplateParser.Parse(group.Key), []),
                group.SelectMany(trigger => trigger.Methods ?? []).Select(m => m.ToUpperInvariant()).Distinct().Order().ToArray()))];
    }

    /// <summary>The methods functions take at <paramref name="path"/>; empty when no route matches it.</summary>
    public IReadOnlyList<string> MethodsAt(PathString path) =>
        [.. routes.Where(route => route.Matcher.TryMatch(path, [])).SelectMany(route => route.Methods).Distinct().Order()];
}
