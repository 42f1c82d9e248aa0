using Serverless.Local.Publishing;

namespace Serverless.UnitTests.Local;

public sealed class UpdateSourceTests
{
    [Fact]
    public async Task Json_lines_become_updates_keyed_by_subject_and_bad_lines_are_reported_with_their_number()
    {
        var input = """
            {"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"prices.A","data":1}

            not json
            [1, 2]
            {"specversion":"1.0","id":"2","source":"/s","type":"t","data":2}
            """;
        var rejected = new List<string>();

        var updates = await Read(input, rejected);

        Assert.Equal(["prices.A", null], updates.Select(u => u.PartitionKey));
        Assert.Contains("\"id\":\"2\"", updates[1].Body);
        Assert.Equal(2, rejected.Count);
        Assert.StartsWith("line 3: not JSON", rejected[0]);
        Assert.Equal("line 4: not a JSON object", rejected[1]);
    }

    [Fact]
    public async Task A_json_array_is_read_item_by_item()
    {
        var rejected = new List<string>();

        var updates = await Read("""  [{"id":"a","subject":"c.1"}, 7, {"id":"b","subject":"c.2"}]""", rejected);

        Assert.Equal(["c.1", "c.2"], updates.Select(u => u.PartitionKey));
        Assert.Equal(["item 2: not a JSON object"], rejected);
    }

    private static async Task<List<OutgoingUpdate>> Read(string input, List<string> rejected)
    {
        var updates = new List<OutgoingUpdate>();
        await foreach (var update in UpdateSource.ReadAsync(new StringReader(input), rejected.Add, CancellationToken.None))
        {
            updates.Add(update);
        }

        return updates;
    }
}
