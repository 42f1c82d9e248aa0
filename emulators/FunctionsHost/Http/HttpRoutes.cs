using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Routing.Template;
using Serverless.FunctionsHost.App;
using Serverless.FunctionsHost.Worker;

namespace Serverless.FunctionsHost.Http;

/// <summary>
/// The HTTP-triggered functions of a worker: route template <c>{routePrefix}/{route ?? name}</c> and methods. Inline
/// constraints (<c>{id:int}</c>, <c>{name:alpha:maxlength(8)}</c>) are checked as ASP.NET Core routing checks them,
/// so a value that breaks one matches no function and is answered 404, as in Azure.
/// </summary>
internal sealed class HttpRoutes
{
    private static readonly ConditionalWeakTable<ReadyWorker, HttpRoutes> PerWorker = [];
    private readonly List<(FunctionDescription Function, BindingDescription Trigger, TemplateMatcher Matcher, HashSet<string> Methods, IReadOnlyList<(string Name, IRouteConstraint Constraint)> Constraints)> routes = [];

    private HttpRoutes(ReadyWorker worker, string routePrefix, IInlineConstraintResolver constraints)
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
            var checks = template.Parameters
                .SelectMany(p => p.InlineConstraints.Select(c => (p.Name!, constraints.ResolveConstraint(c.Constraint)
                    ?? throw new InvalidOperationException($"{function.Name}'s route '{route}' has a constraint ASP.NET Core does not know: '{c.Constraint}'."))))
                .ToList();
            routes.Add((function, trigger, new TemplateMatcher(template, new RouteValueDictionary()), methods, checks));
        }

        // Literal segments before parameters, and catch-all parameters last, as ASP.NET Core routing orders them.
        routes.Sort((a, b) => CatchAll(a.Matcher).CompareTo(CatchAll(b.Matcher)) is var byCatchAll and not 0
            ? byCatchAll
            : Literals(b.Matcher).CompareTo(Literals(a.Matcher)));
    }

    private static bool CatchAll(TemplateMatcher matcher) => matcher.Template.Parameters.Any(p => p.IsCatchAll);

    private static int Literals(TemplateMatcher matcher) => matcher.Template.Segments.Count(s => s.IsSimple && s.Parts[0].IsLiteral);

    public static HttpRoutes For(ReadyWorker worker, string routePrefix, IInlineConstraintResolver constraints) =>
        PerWorker.GetValue(worker, w => new HttpRoutes(w, routePrefix, constraints));

    /// <summary>The function for a request, with its route values; null when no route and method match.</summary>
    public (FunctionDescription Function, BindingDescription Trigger, RouteValueDictionary Values)? Match(string method, PathString path)
    {
        foreach (var (function, trigger, matcher, methods, constraints) in routes)
        {
            var values = new RouteValueDictionary();
            if ((methods.Count == 0 || methods.Contains(method)) && matcher.TryMatch(path, values)
                && constraints.All(c => values[c.Name] is null || c.Constraint.Match(null, null, c.Name, values, RouteDirection.IncomingRequest)))
            {
                return (function, trigger, values);
            }
        }

        return null;
    }
}
