using System.Text.RegularExpressions;
using System.Xml.Linq;
using Serverless.Infra.Model;
using Serverless.Testing;
using Serverless.Tooling;

namespace Serverless.Tests.Infra;

/// <summary>
/// The Pulumi program can't be compiled where its packages can't be restored, so this reads it: every resource,
/// argument, nested argument type, invoke and enum member it names must exist in the pinned Pulumi.AzureNative.
/// </summary>
public sealed partial class AzureNativeApiTests
{
    private static readonly RepoLayout Repo = TestRepo.Layout;

    [Fact]
    public async Task Every_name_the_stack_uses_is_in_the_pinned_Pulumi_AzureNative()
    {
        var program = File.ReadAllText(Path.Combine(Repo.Root, "infra", "ServerlessStack.cs"));
        var modules = ModuleAliases().Matches(program).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.ToLowerInvariant());
        var schema = await AzureNativeSchema.LoadAsync(PinnedVersion(), modules.Values);
        var problems = new List<string>();
        var checkedNames = 0;

        void CheckProperties(string owner, IReadOnlySet<string>? declared, string block)
        {
            if (declared is null)
            {
                problems.Add($"{owner} does not exist");
                return;
            }

            foreach (var property in TopLevelProperties(block))
            {
                checkedNames++;
                if (!declared.Contains(Camel(property)))
                {
                    problems.Add($"{owner} has no {property}");
                }
            }
        }

        var resources = Resources().Matches(program);
        foreach (Match resource in resources)
        {
            var (alias, type) = (resource.Groups[1].Value, resource.Groups[2].Value);
            var file = $"{modules[alias]}/{Camel(type)}.d.ts";
            CheckProperties($"{alias}.{type}Args", schema.Interface(file, type + "Args"), Block(program, resource.Index + resource.Length));
        }

        // Arguments built first and passed by name: new Web.WebAppArgs { … }, then appArgs.FunctionAppConfig = …, then new Web.WebApp("…", appArgs).
        foreach (Match arguments in NamedArguments().Matches(program))
        {
            var (variable, alias, type) = (arguments.Groups[1].Value, arguments.Groups[2].Value, arguments.Groups[3].Value);
            var declared = schema.Interface($"{modules[alias]}/{Camel(type)}.d.ts", type + "Args");
            CheckProperties($"{alias}.{type}Args", declared, Block(program, arguments.Index + arguments.Length - 1));
            foreach (Match assignment in new Regex($@"\b{variable}\.(\w+)\s*=(?!=)").Matches(program))
            {
                CheckProperties($"{alias}.{type}Args", declared, $"\n{assignment.Groups[1].Value} = …");
            }

            var constructed = new Regex($@"new {alias}\.{type}\((?:\$?""[^""]*""|[\w.]+), {variable}\)").Matches(program).Count;
            checkedNames++;
            if (constructed != 1)
            {
                problems.Add($"{variable} is passed to {constructed} new {alias}.{type}(…), not one");
            }
        }

        foreach (Match invoke in Invokes().Matches(program))
        {
            var (alias, function) = (invoke.Groups[1].Value, invoke.Groups[2].Value);
            CheckProperties($"{alias}.{function}InvokeArgs", schema.Interface($"{modules[alias]}/{Camel(function)}.d.ts", function + "OutputArgs"), Block(program, invoke.Index + invoke.Length));
        }

        foreach (Match invoke in InvokesWithoutArguments().Matches(program))
        {
            checkedNames++;
            if (!schema.HasFile($"{modules[invoke.Groups[1].Value]}/{Camel(invoke.Groups[2].Value)}.d.ts"))
            {
                problems.Add($"no invoke {invoke.Groups[1].Value}.{invoke.Groups[2].Value}");
            }
        }

        foreach (Match nested in NestedArguments().Matches(program))
        {
            var (alias, type) = (nested.Groups[1].Value, nested.Groups[2].Value);
            CheckProperties($"{alias}.Inputs.{type}", schema.InputType(modules[alias], type), Block(program, nested.Index + nested.Length - 1));
        }

        foreach (Match member in EnumMembers().Matches(program))
        {
            var (alias, type, name) = (member.Groups[1].Value, member.Groups[2].Value, member.Groups[3].Value);
            if (modules.TryGetValue(alias, out var module) && type != "Inputs" && schema.Enum(module, type) is { } members)
            {
                checkedNames++;
                if (!members.Contains(name))
                {
                    problems.Add($"enum {alias}.{type} has no {name}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.True(resources.Count >= 18, $"only {resources.Count} resources found: the reader no longer matches the program");
        Assert.True(checkedNames >= 150, $"only {checkedNames} names checked: the reader no longer matches the program");
    }

    [Fact]
    public async Task A_name_that_is_not_in_the_API_is_found()
    {
        var schema = await AzureNativeSchema.LoadAsync(PinnedVersion(), ["eventhub"]);

        var declared = schema.Interface("eventhub/eventHub.d.ts", "EventHubArgs")!;

        Assert.Contains("messageRetentionInDays", declared);
        Assert.DoesNotContain("messageRetentionDays", declared);
        Assert.Null(schema.Enum("eventhub", "NoSuchEnum"));
        Assert.DoesNotContain("Receive", schema.Enum("eventhub", "AccessRights")!);
        Assert.Equal(["Name", "Sku"], TopLevelProperties("\n Name = x,\n Sku = new() { Tier = y },\n [Key.Name] = z,"));
    }

    private static string PinnedVersion() =>
        XDocument.Load(Path.Combine(Repo.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == "Pulumi.AzureNative")
            .Attribute("Version")!.Value;

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    /// <summary>The initializer block that starts at the first brace after <paramref name="from"/>.</summary>
    private static string Block(string text, int from) => AzureNativeSchema.Braced(text, text.IndexOf('{', from));

    /// <summary>Property names assigned at the top level of an initializer block (not inside nested blocks or indexers).</summary>
    private static List<string> TopLevelProperties(string block)
    {
        var names = new List<string>();
        var depth = 0;
        foreach (Match token in InitializerTokens().Matches(block))
        {
            switch (token.Value)
            {
                case "{":
                    depth++;
                    break;
                case "}":
                    depth--;
                    break;
                default:
                    if (depth == 0)
                    {
                        names.Add(token.Groups[1].Value);
                    }

                    break;
            }
        }

        return names;
    }

    [GeneratedRegex(@"using (\w+) = Pulumi\.AzureNative\.(\w+);")]
    private static partial Regex ModuleAliases();

    [GeneratedRegex(@"new (\w+)\.(\w+)\((?:\$?""[^""]*""|[\w.]+), new\(\)")]
    private static partial Regex Resources();

    [GeneratedRegex(@"var (\w+) = new (\w+)\.(\w+)Args\s*\{")]
    private static partial Regex NamedArguments();

    [GeneratedRegex(@"(\w+)\.(\w+)\.Invoke\(new\(\)")]
    private static partial Regex Invokes();

    [GeneratedRegex(@"(\w+)\.(\w+)\.Invoke\(\)")]
    private static partial Regex InvokesWithoutArguments();

    [GeneratedRegex(@"new (\w+)\.Inputs\.(\w+)\s*\{")]
    private static partial Regex NestedArguments();

    [GeneratedRegex(@"\b(\w+)\.(\w+)\.(\w+)\b(?!\()")]
    private static partial Regex EnumMembers();

    [GeneratedRegex(@"[{}]|^\s*(\w+)\s*=(?!=)", RegexOptions.Multiline)]
    private static partial Regex InitializerTokens();
}
