using System.Text.RegularExpressions;
using Serverless.Testing;

namespace Serverless.Tests.Repository;

/// <summary>
/// Every document the repository cites is in the repository: a <c>.md</c> file named in a source file (a comment, a
/// message) exists, relative to the root or to the citing file, and a <c>#section</c> after it is one of its headings.
/// In Markdown, relative links and mentions of the repository's own folders are held to the same rule; names of
/// files in other projects' sources, and anything in a URL, are left alone.
/// </summary>
public sealed partial class CitationTests
{
    private static readonly HashSet<string> SkippedFolders = ["bin", "obj", "node_modules", "TestResults"];
    private static readonly HashSet<string> SourceExtensions = [".cs", ".js", ".mjs", ".csproj", ".props", ".sh", ".proto", ".json", ".yaml", ".yml", ".html", ".css"];

    [Fact]
    public void Every_cited_document_and_section_exists()
    {
        var missing = new List<string>();
        var citations = 0;
        foreach (var file in RepositoryFiles())
        {
            var markdown = file.EndsWith(".md", StringComparison.Ordinal);
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (var (path, section) in Citations(lines[i], markdown))
                {
                    citations++;
                    if (Problem(file, path, section) is { } problem)
                    {
                        missing.Add($"{Path.GetRelativePath(TestRepo.Layout.Root, file)}:{i + 1}: {path}{section} ({problem})");
                    }
                }
            }
        }

        Assert.True(citations > 20, $"only {citations} citations found: the scan is broken");
        Assert.True(missing.Count == 0, "Citations of documents that are not in the repository:\n" + string.Join("\n", missing));
    }

    [Theory]
    [InlineData("// the rules (DESIGN.md)", false, "DESIGN.md")]
    [InlineData("/// see ../elsewhere/WIRE-FACTS.md for the wire", false, "../elsewhere/WIRE-FACTS.md")]
    [InlineData("/// the routes (WIRE-FACTS §2.4) and more", false, "WIRE-FACTS.md")]
    [InlineData("// (docs/event-hubs.md#cbs)", false, "docs/event-hubs.md#cbs")]
    [InlineData("// https://github.com/x/y/blob/main/README.md", false, "")]
    [InlineData("the source, `src/specs/Protocols.md` in aspnetcore", true, "")]
    [InlineData("see [the rules](client-rules.md#what-a-follower-does)", true, "client-rules.md#what-a-follower-does")]
    [InlineData("written down in docs/storage.md", true, "docs/storage.md")]
    public void Citations_are_found_in_code_and_in_markdown(string line, bool markdown, string expected) =>
        Assert.Equal(expected, string.Join(",", Citations(line, markdown).Select(c => c.Path + c.Section)));

    [Fact]
    public void A_citation_of_a_missing_file_or_section_is_a_problem()
    {
        var citing = Path.Combine(TestRepo.Layout.Root, "pipeline", "Push", "UpdatePusher.cs");

        Assert.NotNull(Problem(citing, "DESIGN.md", ""));
        Assert.NotNull(Problem(citing, "docs/event-hubs.md", "#no-such-section"));
        Assert.Null(Problem(citing, "docs/event-hubs.md", "#cbs"));
    }

    private static IEnumerable<string> RepositoryFiles()
    {
        var pending = new Stack<string>([TestRepo.Layout.Root]);
        while (pending.TryPop(out var folder))
        {
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.') && !SkippedFolders.Contains(name))
                {
                    pending.Push(sub);
                }
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var extension = Path.GetExtension(file);
                // This file's own examples cite missing documents on purpose.
                if ((SourceExtensions.Contains(extension) || extension == ".md")
                    && Path.GetFileName(file) is not ("package-lock.json" or nameof(CitationTests) + ".cs"))
                {
                    yield return file;
                }
            }
        }
    }

    private static IEnumerable<(string Path, string Section)> Citations(string line, bool markdown)
    {
        // A section of a document named without its extension ("NAME §2.4") cites NAME.md.
        foreach (Match match in SectionOfNamedDocument().Matches(line))
        {
            yield return (match.Groups["name"].Value + ".md", "");
        }

        foreach (Match match in MarkdownPath().Matches(line))
        {
            var tokenStart = line.LastIndexOfAny([' ', '(', '`', '"', '\''], Math.Max(0, match.Index - 1)) + 1;
            var token = line[tokenStart..(match.Index + match.Length)];
            if (token.Contains("://") || DomainPrefix().IsMatch(token))
            {
                continue;
            }

            var path = match.Groups["path"].Value;
            var linked = match.Index >= 2 && line[match.Index - 1] == '(' && line[match.Index - 2] == ']';
            var ownFolder = path.Split('/')[0] is var first && (first is "README.md" or ".." || Directory.Exists(Path.Combine(TestRepo.Layout.Root, first)) && first.Length > 0 && path.Contains('/'));
            if (!markdown || linked || ownFolder)
            {
                yield return (path, match.Groups["section"].Value);
            }
        }
    }

    private static string? Problem(string citingFile, string path, string section)
    {
        var target = new[] { Path.Combine(TestRepo.Layout.Root, path), Path.Combine(Path.GetDirectoryName(citingFile)!, path) }
            .Select(Path.GetFullPath)
            .FirstOrDefault(candidate => File.Exists(candidate) && candidate.StartsWith(TestRepo.Layout.Root, StringComparison.Ordinal));
        if (target is null)
        {
            return "no such file in the repository";
        }

        if (section.Length == 0)
        {
            return null;
        }

        var anchors = File.ReadLines(target).Where(l => l.StartsWith('#')).Select(Anchor).ToHashSet();
        return anchors.Contains(section[1..]) ? null : "no such section";
    }

    /// <summary>A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Anchor(string heading)
    {
        var text = heading.TrimStart('#').Trim().ToLowerInvariant();
        return new string([.. text.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').Select(c => c == ' ' ? '-' : c)]);
    }

    [GeneratedRegex(@"(?<![\w/.#-])(?<path>(?:\.\./|\./)?(?:[\w.-]+/)*[\w.-]+\.md)(?<section>#[\w-]+)?")]
    private static partial Regex MarkdownPath();

    [GeneratedRegex(@"\b(?<name>[A-Z][A-Z0-9-]{2,})\s*§")]
    private static partial Regex SectionOfNamedDocument();

    [GeneratedRegex(@"[\w-]+\.(com|org|net|io)/")]
    private static partial Regex DomainPrefix();
}
