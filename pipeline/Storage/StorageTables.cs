using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Serverless.Pipeline.Settings;

namespace Serverless.Pipeline.Storage;

/// <summary>
/// The app's tables, created on first use, the updates table checked for its layout (<see cref="UpdatesTableLayout"/>):
/// a table this version cannot read fails every use with what to do. One client per table for the app's lifetime.
/// </summary>
public sealed class StorageTables
{
    private readonly TableServiceClient service;
    private readonly SemaphoreSlim createLock = new(1, 1);
    private volatile bool created;
    private string? layoutProblem;

    public StorageTables(IOptions<StorageOptions> options)
    {
        var settings = options.Value;
        service = settings.CreateServiceClient();
        Updates = service.GetTableClient(settings.UpdatesTable);
        DeadLetters = service.GetTableClient(settings.DeadLettersTable);
    }

    public TableClient Updates { get; }
    public TableClient DeadLetters { get; }

    public async ValueTask EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (!created)
        {
            await createLock.WaitAsync(cancellationToken);
            try
            {
                if (!created)
                {
                    await Task.WhenAll(CreateIfAllowedAsync(Updates, cancellationToken), CreateIfAllowedAsync(DeadLetters, cancellationToken));
                    layoutProblem = await UpdatesTableLayout.CheckAsync(Updates, cancellationToken);
                    created = true;
                }
            }
            finally
            {
                createLock.Release();
            }
        }

        if (layoutProblem is not null)
        {
            throw new InvalidOperationException(layoutProblem);
        }
    }

    // In Azure the deployment creates the tables and the app's identity may only use them (a role scoped to each table),
    // so a refused create is not an error: a missing table or a missing role shows on the first read or write.
    private static async Task CreateIfAllowedAsync(TableClient table, CancellationToken cancellationToken)
    {
        try
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
        }
    }

    /// <summary>A cheap round trip that proves the account answers and the app may read it.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await EnsureCreatedAsync(cancellationToken);
        await foreach (var _ in Updates.QueryAsync<TableEntity>(maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
        {
            break;
        }
    }

    public static bool IsConflict(RequestFailedException ex) => ex.Status is 409 or 412;
}
