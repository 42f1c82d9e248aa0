using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Routing.Template;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost.Http;

/// <summary>The HTTP-triggered functions of a worker: route template <c>{routePrefix}/{route ?? name}</c> and methods.</summary>
internal sealed class HttpRoutes
{
    private static readonly ConditionalWeakTable<ReadyWorker, HttpRoutes> PerWorker = [];
    private readonly List<(FunctionDescription Function, BindingDescription Trigger, TemplateMatcher Matcher, HashSet<string> Methods)> routes = [];

    private HttpRoutes(ReadyWorker worker, string routePrefix)
    {
        foreach (var function in worker.Functions)
        {
            if (function.Trigger is not { } trigger || !trigger.Type.Equals(SupportedBindings.HttpTrigger, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var route = (trigger.Property("route") ?? function.Name).Trim('/');
            var template = TemplateParser.Parse(routePrefix.Length == 0 ? route : $"{routePrefix}/{route}");
            var methods = new HashSet<string>(trigger.List("methods"), StringComparer.OrdinalIgnoreCase);
            routes.Add((function, trigger, new TemplateMatcher(template, new RouteValueDictionary()), methods));
        }

        // Literal segments before parameters, and catch-all parameters last, as ASP.NET Core routing orders them.
        routes.Sort((a, b) => CatchAll(a.Matcher).CompareTo(CatchAll(b.Matcher)) is var byCatchAll and not 0
            ? byCatchAll
            : Literals(b.Matcher).CompareTo(Literals(a.Matcher)));
    }

    private static bool CatchAll(TemplateMatcher matcher) => matcher.Template.Parameters.Any(p => p.IsCatchAll);

    private static int Literals(TemplateMatcher matcher) => matcher.Template.Segments.Count(s => s.IsSimple && s.Parts[0].IsLiteral);

    public static HttpRoutes For(ReadyWorker worker, string routePrefix) => PerWorker.GetValue(worker, w => new HttpRoutes(w, routePrefix));

    /// <summary>The function for a request, with its route values; null when no route and method match.</summary>
    public (FunctionDescription Function, BindingDescription Trigger, RouteValueDictionary Values)? Match(string method, PathString path)
    {
        foreach (var (function, trigger, matcher, methods) in routes)
        {
            var values = new RouteValueDictionary();
            if ((methods.Count == 0 || methods.Contains(method)) && matcher.TryMatch(path, values))
            {
                return (function, trigger, values);
            }
        }

        return null;
    }
}
