using Azure.Data.Tables;
using Serverless.Contracts.Settings;
using Serverless.Pipeline.Storage;
using Serverless.Testing;

namespace Serverless.Tests.Pipeline;

/// <summary>The updates table says which layout it holds: a new table is marked; one of an earlier layout is refused with what to do.</summary>
[Collection(PipelineCollection.Name)]
public sealed class TableLayoutTests(PipelineFixture fixture)
{
    [Fact]
    public async Task An_empty_table_is_marked_with_this_layout_and_then_accepted()
    {
        var table = await NewTableAsync();

        Assert.Null(await UpdatesTableLayout.CheckAsync(table, CancellationToken.None));
        var marker = (await table.GetEntityAsync<TableEntity>(UpdateTablePartitions.Layout, "updates")).Value;
        Assert.Equal((UpdatesTableLayout.Version, ChannelRows.Buckets), (marker.GetInt32("Version"), marker.GetInt32("Buckets")));
        Assert.Null(await UpdatesTableLayout.CheckAsync(table, CancellationToken.None));
    }

    [Fact]
    public async Task A_table_written_one_partition_per_channel_is_refused_with_what_to_do()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("prices.EURUSD", "head") { ["LastSeq"] = 3L });

        var problem = await UpdatesTableLayout.CheckAsync(table, CancellationToken.None);

        Assert.NotNull(problem);
        Assert.Contains("one partition per channel", problem);
        Assert.Contains(SettingNames.UpdatesTable, problem);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(UpdateTablePartitions.Layout, "updates")).HasValue);
    }

    [Fact]
    public async Task A_table_marked_with_another_layout_is_refused()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity(UpdateTablePartitions.Layout, "updates") { ["Version"] = UpdatesTableLayout.Version, ["Buckets"] = ChannelRows.Buckets * 2 });

        var problem = await UpdatesTableLayout.CheckAsync(table, CancellationToken.None);

        Assert.Contains($"with {ChannelRows.Buckets * 2} buckets", problem);
    }

    [Fact]
    public async Task A_worker_on_a_table_of_the_earlier_layout_fails_its_batches_with_what_to_do_and_writes_nothing()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("prices.EURUSD", "head") { ["LastSeq"] = 3L });
        var settings = new Dictionary<string, string?>(fixture.Settings) { [SettingNames.UpdatesTable] = table.Name };
        await using var worker = new InProcessIngest(settings);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => worker.RunAsync(TestEvents.Batch([TestEvents.Update(TestEvents.NewChannel(), "e1")])));

        Assert.Contains("one partition per channel", error.Message);
        Assert.Single(await table.QueryAsync<TableEntity>().ToListAsync());
    }

    private async Task<TableClient> NewTableAsync()
    {
        var table = fixture.Table("layout" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync();
        return table;
    }
}
