using System.Text.RegularExpressions;
using Serverless.Testing;

namespace Serverless.Tests.Repository;

/// <summary>
/// The README is a front door: short, and the way to every page of <c>docs/</c>, each linked from it once, so that
/// nothing written down there is out of a reader's reach and nothing is pointed at twice.
/// </summary>
public sealed partial class ReadmeTests
{
    private const int MostLines = 200;

    [Fact]
    public void The_readme_is_at_most_200_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(TestRepo.Layout.Root, "README.md")).Length;

        Assert.True(lines <= MostLines, $"README.md has {lines} lines; move what is not the front door into docs/ (at most {MostLines})");
    }

    [Fact]
    public void Every_docs_page_is_linked_from_the_readme_once()
    {
        var readme = File.ReadAllText(Path.Combine(TestRepo.Layout.Root, "README.md"));
        var pages = Directory.GetFiles(Path.Combine(TestRepo.Layout.Root, "docs"), "*.md").Select(Path.GetFileName).Order().ToList();

        var problems = pages
            .Select(page => (Page: page, Links: Link().Matches(readme).Count(m => m.Groups["page"].Value == page), Mentions: Regex.Matches(readme, Regex.Escape("docs/" + page)).Count))
            .Where(p => p.Links != 1 || p.Mentions != 1)
            .Select(p => $"docs/{p.Page}: linked {p.Links} times, named {p.Mentions} times")
            .ToList();

        Assert.True(pages.Count > 10, $"only {pages.Count} pages found in docs/: the scan is broken");
        Assert.True(problems.Count == 0, "Each page of docs/ is linked from the README once, and named nowhere else in it:\n" + string.Join("\n", problems));
    }

    [GeneratedRegex(@"\]\(docs/(?<page>[a-z0-9-]+\.md)\)")]
    private static partial Regex Link();
}
