using Serverless.Contracts.Api;
using Serverless.Testing.Chaos;

namespace Serverless.Tests.WholeSystem;

/// <summary>
/// The front door of several instances (docs/local.md#several-instances), with the instances as processes of their
/// own: an instance killed while requests come is left out without a request failing, since a GET that cannot reach
/// its instance goes to another one; the instance started again takes requests again.
/// </summary>
[Collection(WholeSystemCollection.Name)]
public sealed class FrontDoorTests
{
    [Fact]
    public async Task Reads_go_on_while_an_instance_is_killed_and_started_again()
    {
        var data = Directory.CreateTempSubdirectory("front-door-").FullName;
        try
        {
            await using var stack = await ProcessStack.StartAsync(data, instances: 2);
            var failures = new List<string>();
            async Task ReadAsync(int count)
            {
                for (var i = 0; i < count; i++)
                {
                    using var response = await stack.Api.GetAsync(ApiRoutes.Health);
                    if (!response.IsSuccessStatusCode)
                    {
                        failures.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
            }

            await ReadAsync(10);
            await stack.KillInstanceAsync("host-2");
            // At once: the front door has not yet seen that the instance is gone.
            await ReadAsync(20);
            await stack.StartAsync("host-2");
            await ReadAsync(10);

            Assert.Empty(failures);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
