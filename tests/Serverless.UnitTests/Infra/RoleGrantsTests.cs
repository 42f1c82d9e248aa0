using Serverless.Infra.Model;

namespace Serverless.UnitTests.Infra;

public sealed class RoleGrantsTests
{
    [Fact]
    public void The_app_gets_data_roles_only_each_at_the_narrowest_scope()
    {
        var grants = RoleGrants.ForFunctionApp;

        Assert.All(grants, grant => Assert.True(Guid.TryParse(grant.RoleDefinitionId, out _), grant.Role));
        Assert.All(grants.Where(g => g.Scope != RoleScope.SignalRSecret), grant => Assert.Contains(" Data ", grant.Role));
        Assert.Equal("Key Vault Secrets User", Assert.Single(grants, g => g.Scope == RoleScope.SignalRSecret).Role);
        Assert.Equal(RoleScope.EventHub, Assert.Single(grants, g => g.Role.StartsWith("Azure Event Hubs", StringComparison.Ordinal)).Scope);
        Assert.Equal("Azure Event Hubs Data Receiver", Assert.Single(grants, g => g.Scope == RoleScope.EventHub).Role);
        Assert.Equal(
            [RoleScope.UpdatesTable, RoleScope.DeadLettersTable],
            grants.Where(g => g.RoleDefinitionId == RoleGrants.StorageTableDataContributor).Select(g => g.Scope));
        Assert.Equal("Storage Blob Data Owner", Assert.Single(grants, g => g.Scope == RoleScope.StorageAccount).Role);
    }

    [Fact]
    public void A_producer_may_send_to_the_hub_and_nothing_else()
    {
        Assert.Equal(("Azure Event Hubs Data Sender", RoleScope.EventHub), (RoleGrants.ForProducer.Role, RoleGrants.ForProducer.Scope));
        Assert.DoesNotContain(RoleGrants.ForFunctionApp, g => g.RoleDefinitionId == RoleGrants.EventHubsDataSender);
    }

    [Fact]
    public void Each_grant_has_its_own_resource_name_and_a_full_definition_path()
    {
        var names = RoleGrants.ForFunctionApp.Select(g => g.ResourceName).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(
            "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
            RoleGrants.DefinitionPath("00000000-0000-0000-0000-000000000001", RoleGrants.EventHubsDataReceiver));
    }
}
