using System.Text.RegularExpressions;
using System.Xml.Linq;
using Serverless.Testing;

namespace Serverless.Tests.Repository;

/// <summary>
/// How the projects and the folders inside them depend on each other: references point one way, from programs to the
/// libraries they use; a program is never compiled into another project (a reference to one only builds it first);
/// our contracts depend on nothing; the local emulators depend on none of our own projects; and the feature folders of
/// the function app and its pipeline have no cycles.
/// </summary>
public sealed partial class ProjectStructureTests
{
    private static readonly string Root = TestRepo.Layout.Root;

    [Fact]
    public void A_program_is_referenced_only_to_build_it_first()
    {
        var programs = Projects().Where(p => p.IsProgram).Select(p => p.Path).ToHashSet();

        var offending = Projects()
            .SelectMany(p => p.References.Where(r => programs.Contains(r.Target) && r.UsesAssembly).Select(r => $"{Relative(p.Path)} → {Relative(r.Target)}"))
            .ToList();

        Assert.True(programs.Count >= 5, $"only {programs.Count} programs found: the scan is broken");
        Assert.True(offending.Count == 0, "References to programs' code: " + string.Join("; ", offending));
    }

    [Fact]
    public void The_contracts_depend_on_nothing()
    {
        var contracts = Projects().Single(p => p.Path.EndsWith("Serverless.Contracts.csproj", StringComparison.Ordinal));

        Assert.Empty(contracts.References);
        Assert.Empty(contracts.Packages);
    }

    [Fact]
    public void The_emulators_use_none_of_our_projects()
    {
        var emulators = Projects().Where(p => Relative(p.Path).StartsWith("emulators/", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, emulators.Count);
        Assert.All(emulators, emulator => Assert.Empty(emulator.References));
    }

    [Fact]
    public void Project_references_have_no_cycle()
    {
        var graph = Projects().ToDictionary(p => p.Path, p => p.References.Select(r => r.Target).ToList());

        Assert.Null(Cycle(graph));
    }

    [Theory]
    [InlineData("functions", "Serverless.Functions")]
    [InlineData("pipeline", "Serverless.Pipeline")]
    public void Feature_folders_have_no_cycle(string project, string rootNamespace)
    {
        var folder = Path.Combine(Root, project);
        var features = Directory.GetDirectories(folder).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj")).ToHashSet();
        var uses = new Regex($@"\b{Regex.Escape(rootNamespace)}\.(\w+)");
        var graph = features.ToDictionary(
            feature => feature!,
            feature => Directory.GetFiles(Path.Combine(folder, feature!), "*.cs", SearchOption.AllDirectories)
                .SelectMany(file => uses.Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
                .Where(used => used != feature && features.Contains(used))
                .Distinct()
                .ToList());

        Assert.True(graph.Count >= 5, $"only {graph.Count} feature folders in {project}");
        Assert.Null(Cycle(graph));
    }

    [Fact]
    public void A_cycle_is_found_when_there_is_one() =>
        Assert.Equal("A → B → C → A", Cycle(new Dictionary<string, List<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] }));

    /// <summary>A cycle in the graph, as "a → b → a", or null.</summary>
    private static string? Cycle(Dictionary<string, List<string>> graph)
    {
        var done = new HashSet<string>();
        var path = new List<string>();

        string? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0)
            {
                return string.Join(" → ", path[at..].Append(node).Select(Relative));
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }

    private static string Relative(string path) =>
        Path.IsPathRooted(path) ? Path.GetRelativePath(Root, path).Replace('\\', '/') : path;

    private sealed record Reference(string Target, bool UsesAssembly);

    private sealed record Project(string Path, bool IsProgram, IReadOnlyList<Reference> References, IReadOnlyList<string> Packages);

    private static IEnumerable<Project> Projects() =>
        Directory.EnumerateFiles(Root, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Split(System.IO.Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            .Select(Read);

    private static Project Read(string path)
    {
        var xml = XDocument.Load(path);
        var sdk = xml.Root!.Attribute("Sdk")?.Value ?? "";
        var outputType = xml.Descendants("OutputType").Select(e => e.Value).LastOrDefault();
        // Microsoft.NET.Sdk.Web makes a program unless told otherwise; Microsoft.NET.Sdk a library.
        var isProgram = outputType is not null ? outputType == "Exe" : sdk == "Microsoft.NET.Sdk.Web";
        var references = xml.Descendants("ProjectReference")
            .Select(r => new Reference(
                System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, r.Attribute("Include")!.Value)),
                !string.Equals(r.Attribute("ReferenceOutputAssembly")?.Value, "false", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var packages = xml.Descendants("PackageReference").Select(p => p.Attribute("Include")!.Value).ToList();
        return new Project(path, isProgram, references, packages);
    }
}
