using System.Text.Json;
using ApplicationInsights = Pulumi.AzureNative.ApplicationInsights;
using Authorization = Pulumi.AzureNative.Authorization;
using EventHub = Pulumi.AzureNative.EventHub;
using KeyVault = Pulumi.AzureNative.KeyVault;
using OperationalInsights = Pulumi.AzureNative.OperationalInsights;
using Pulumi;
using Resources = Pulumi.AzureNative.Resources;
using Serverless.Infra.Model;
using Serverless.Tooling;
using SignalRService = Pulumi.AzureNative.SignalRService;
using Storage = Pulumi.AzureNative.Storage;
using Web = Pulumi.AzureNative.Web;

namespace Serverless.Infra;

/// <summary>
/// The whole pipeline in Azure, one method per group of resources, in dependency order: storage, Event Hubs, SignalR
/// Service and its key's vault, monitoring, the function app, its roles, its code, and the web page. What is decided
/// (names, settings, roles, files) comes from Serverless.Infra.Model.
/// </summary>
public static class ServerlessStack
{
    public static async Task<IDictionary<string, object?>> DefineAsync()
    {
        var settings = StackSettings.Read(new Config().Get);
        var repo = RepoLayout.Find();
        var package = await FunctionPackage.BuildAsync(repo, Console.Out, CancellationToken.None);

        var group = new Resources.ResourceGroup("serverless");
        var client = Authorization.GetClientConfig.Invoke();

        var storage = DefineStorage(group, settings);
        var corsOrigins = FunctionAppSettings.CorsOrigins<Input<string>>(settings, storage.WebOrigin, origin => origin);
        var eventHubs = DefineEventHubs(group, settings);
        var signalR = DefineSignalR(group, settings, corsOrigins, client);
        var insights = DefineMonitoring(group, settings);
        var app = DefineFunctionApp(group, settings, storage, eventHubs, signalR, insights, corsOrigins);
        var roleAssignments = GrantRoles(settings, client, app, storage, eventHubs, signalR);
        var codeDeployment = DeployCode(group, settings.Plan, package, storage, eventHubs, app, roleAssignments);
        var apiBase = PublishWebPage(group, settings, storage, app, WebSiteFiles.Collect(repo));

        return new Dictionary<string, object?>
        {
            ["functionAppName"] = app.Name,
            ["functionAppUrl"] = app.DefaultHostName.Apply(host => $"https://{host}/"),
            ["apiUrl"] = apiBase,
            ["negotiateUrl"] = apiBase.Apply(api => $"{api}/negotiate"),
            ["webUrl"] = storage.WebEndpoint,
            ["eventHubsNamespace"] = eventHubs.Namespace.Name.Apply(name => $"{name}.servicebus.windows.net"),
            ["eventHubName"] = eventHubs.Hub.Name,
            ["resourceGroupName"] = group.Name,
            ["packageIdentity"] = package.Identity,
            ["codeDeployment"] = codeDeployment.Name,
        };
    }

    private static StackStorage DefineStorage(Resources.ResourceGroup group, StackSettings settings)
    {
        var plan = settings.Plan;

        // Storage, two accounts (docs/azure-deployment.md#storage): the app's own (its tables, the host's storage, the
        // deployment container), reached by its identity only; and the site's (the static website for web/ and the
        // uploaded packages), where Pulumi uploads with the account key and the app has no role.
        var storage = new Storage.StorageAccount("serverless", new()
        {
            ResourceGroupName = group.Name,
            Kind = Storage.Kind.StorageV2,
            Sku = new Storage.Inputs.SkuArgs { Name = settings.StorageSku },
            MinimumTlsVersion = Storage.MinimumTlsVersion.TLS1_2,
            EnableHttpsTrafficOnly = true,
            AllowBlobPublicAccess = false,
            // Nothing reaches it by key on Flex Consumption; Elastic Premium's content share takes only a key.
            AllowSharedKeyAccess = !plan.IsFlex,
        });
        var site = new Storage.StorageAccount("site", new()
        {
            ResourceGroupName = group.Name,
            Kind = Storage.Kind.StorageV2,
            Sku = new Storage.Inputs.SkuArgs { Name = Storage.SkuName.Standard_LRS },
            MinimumTlsVersion = Storage.MinimumTlsVersion.TLS1_2,
            EnableHttpsTrafficOnly = true,
            AllowBlobPublicAccess = false,
            // Pulumi uploads the web site and the package with the account key (docs/azure-deployment.md#uploads).
            AllowSharedKeyAccess = true,
        });
        var updatesTable = new Storage.Table("updates", new()
        {
            ResourceGroupName = group.Name,
            AccountName = storage.Name,
            TableName = ResourceNames.UpdatesTable,
        });
        var deadLettersTable = new Storage.Table("deadletters", new()
        {
            ResourceGroupName = group.Name,
            AccountName = storage.Name,
            TableName = ResourceNames.DeadLettersTable,
        });
        var deploymentContainer = new Storage.BlobContainer("app-package", new()
        {
            ResourceGroupName = group.Name,
            AccountName = storage.Name,
            ContainerName = ResourceNames.DeploymentContainer,
            PublicAccess = Storage.PublicAccess.None,
        });
        var packagesContainer = new Storage.BlobContainer("packages", new()
        {
            ResourceGroupName = group.Name,
            AccountName = site.Name,
            ContainerName = ResourceNames.PackagesContainer,
            PublicAccess = Storage.PublicAccess.None,
        });
        var website = new Storage.StorageAccountStaticWebsite("web", new()
        {
            ResourceGroupName = group.Name,
            AccountName = site.Name,
            IndexDocument = WebSiteFiles.IndexDocument,
        });
        var webEndpoint = site.PrimaryEndpoints.Apply(endpoints => endpoints.Web);
        return new StackStorage(storage, site, updatesTable, deadLettersTable, deploymentContainer, packagesContainer, website,
            webEndpoint, webEndpoint.Apply(WebSiteFiles.Origin));
    }

    private static StackEventHubs DefineEventHubs(Resources.ResourceGroup group, StackSettings settings)
    {
        // Event Hubs: a Standard namespace that takes Microsoft Entra ID only (no keys, no rules), the hub Ingest reads,
        // and Ingest's consumer group. Producers get Azure Event Hubs Data Sender below.
        var eventHubs = new EventHub.Namespace("serverless", new()
        {
            DisableLocalAuth = true,
            ResourceGroupName = group.Name,
            Sku = new EventHub.Inputs.SkuArgs
            {
                Name = EventHub.SkuName.Standard,
                Tier = EventHub.SkuTier.Standard,
                Capacity = settings.EventHubsCapacity,
            },
            MinimumTlsVersion = "1.2",
        });
        var hub = new EventHub.EventHub("updates", new()
        {
            ResourceGroupName = group.Name,
            NamespaceName = eventHubs.Name,
            EventHubName = ResourceNames.EventHub,
            PartitionCount = settings.PartitionCount,
            MessageRetentionInDays = settings.RetentionDays,
        });
        var consumerGroup = new EventHub.ConsumerGroup("ingest", new()
        {
            ResourceGroupName = group.Name,
            NamespaceName = eventHubs.Name,
            EventHubName = hub.Name,
            ConsumerGroupName = ResourceNames.ConsumerGroup,
        });
        return new StackEventHubs(eventHubs, hub, consumerGroup);
    }

    private static StackSignalR DefineSignalR(Resources.ResourceGroup group, StackSettings settings, IReadOnlyList<Input<string>> corsOrigins,
        Output<Authorization.GetClientConfigResult> client)
    {
        // SignalR Service in serverless mode; the page connects to it directly, so it answers CORS for the page.
        var signalR = new SignalRService.SignalR("serverless", new()
        {
            ResourceGroupName = group.Name,
            Kind = SignalRService.ServiceKind.SignalR,
            Sku = new SignalRService.Inputs.ResourceSkuArgs
            {
                Name = settings.SignalRSku,
                Tier = settings.SignalRTier,
                Capacity = settings.SignalRUnits,
            },
            Features =
            {
                new SignalRService.Inputs.SignalRFeatureArgs { Flag = SignalRService.FeatureFlags.ServiceMode, Value = "Serverless" },
                new SignalRService.Inputs.SignalRFeatureArgs { Flag = SignalRService.FeatureFlags.EnableConnectivityLogs, Value = "true" },
            },
            Cors = new SignalRService.Inputs.SignalRCorsSettingsArgs { AllowedOrigins = corsOrigins.ToArray() },
        });
        var signalRKeys = SignalRService.ListSignalRKeys.Invoke(new()
        {
            ResourceGroupName = group.Name,
            ResourceName = signalR.Name,
        });


        // The app signs SignalR tokens with the service's key (docs/azure-deployment.md#secrets): the key lives in a Key
        // Vault secret, which the app reads through a Key Vault reference with its identity; no app setting holds it.
        var vault = new KeyVault.Vault("serverless", new()
        {
            ResourceGroupName = group.Name,
            Properties = new KeyVault.Inputs.VaultPropertiesArgs
            {
                TenantId = client.Apply(c => c.TenantId),
                Sku = new KeyVault.Inputs.SkuArgs { Family = KeyVault.SkuFamily.A, Name = KeyVault.SkuName.Standard },
                EnableRbacAuthorization = true,
                EnabledForTemplateDeployment = false,
            },
        });
        var signalRSecret = new KeyVault.Secret("signalr-connection", new()
        {
            ResourceGroupName = group.Name,
            VaultName = vault.Name,
            SecretName = ResourceNames.SignalRSecret,
            Properties = new KeyVault.Inputs.SecretPropertiesArgs
            {
                Value = Output.CreateSecret(signalRKeys.Apply(keys => keys.PrimaryConnectionString ?? "")),
            },
        });

        return new StackSignalR(vault, signalRSecret);
    }

    private static ApplicationInsights.Component DefineMonitoring(Resources.ResourceGroup group, StackSettings settings)
    {
        // Monitoring: Application Insights on a Log Analytics workspace.
        var workspace = new OperationalInsights.Workspace("serverless", new()
        {
            ResourceGroupName = group.Name,
            Sku = new OperationalInsights.Inputs.WorkspaceSkuArgs { Name = OperationalInsights.WorkspaceSkuNameEnum.PerGB2018 },
            RetentionInDays = settings.LogRetentionDays,
        });
        var insights = new ApplicationInsights.Component("serverless", new()
        {
            ResourceGroupName = group.Name,
            ApplicationType = ApplicationInsights.ApplicationType.Web,
            Kind = "web",
            WorkspaceResourceId = workspace.Id,
        });

        return insights;
    }

    private static Web.WebApp DefineFunctionApp(Resources.ResourceGroup group, StackSettings settings, StackStorage stackStorage,
        StackEventHubs stackEventHubs, StackSignalR stackSignalR, ApplicationInsights.Component insights, IReadOnlyList<Input<string>> corsOrigins)
    {
        var plan = settings.Plan;

        var (storage, deploymentContainer, eventHubs) = (stackStorage.App, stackStorage.Deployment, stackEventHubs.Namespace);
        var (vault, signalRSecret) = (stackSignalR.Vault, stackSignalR.Secret);

        // The plan: Flex Consumption by default, Elastic Premium when the stack says so.
        var planArgs = new Web.AppServicePlanArgs
        {
            ResourceGroupName = group.Name,
            Kind = plan.IsFlex ? "functionapp" : "elastic",
            Reserved = true,
            Sku = new Web.Inputs.SkuDescriptionArgs { Name = plan.SkuName, Tier = plan.SkuTier },
        };
        if (!plan.IsFlex)
        {
            // Flex Consumption scales per app (functionAppConfig below); Elastic Premium per plan.
            planArgs.MaximumElasticWorkerCount = settings.MaximumInstanceCount;
        }

        var servicePlan = new Web.AppServicePlan("serverless", planArgs);

        // Elastic Premium keeps the app's files in an Azure Files share, which only takes a key.
        Input<string>? contentConnection = null;
        if (!plan.IsFlex)
        {
            var storageKeys = Storage.ListStorageAccountKeys.Invoke(new()
            {
                ResourceGroupName = group.Name,
                AccountName = storage.Name,
            });
            contentConnection = Output.CreateSecret(Output.Tuple(storage.Name, storageKeys).Apply(values =>
                $"DefaultEndpointsProtocol=https;AccountName={values.Item1};AccountKey={values.Item2.Keys[0].Value};EndpointSuffix=core.windows.net"));
        }

        var appSettings = FunctionAppSettings.For(settings, new DeployedValues<Input<string>>(
            StorageAccountName: storage.Name,
            EventHubsHost: eventHubs.Name.Apply(name => $"{name}.servicebus.windows.net"),
            // A versionless reference: the app follows the secret when the key is rotated.
            SignalRConnectionString: Output.Tuple(vault.Properties.Apply(p => p.VaultUri), signalRSecret.Name)
                .Apply(values => FunctionAppSettings.KeyVaultReference(values.Item1, values.Item2)),
            AppInsightsConnectionString: insights.ConnectionString,
            Literal: value => value,
            ContentShareConnectionString: contentConnection,
            ContentShareName: plan.IsFlex ? null : (Input<string>)"serverless-content"));

        var siteConfig = new Web.Inputs.SiteConfigArgs
        {
            AppSettings = appSettings.Select(setting => new Web.Inputs.NameValuePairArgs { Name = setting.Key, Value = setting.Value }).ToArray(),
            Cors = new Web.Inputs.CorsSettingsArgs
            {
                AllowedOrigins = corsOrigins.ToArray(),
                SupportCredentials = FunctionAppSettings.CorsCredentials,
            },
            MinTlsVersion = "1.2",
            FtpsState = "Disabled",
            Http20Enabled = true,
        };
        var appArgs = new Web.WebAppArgs
        {
            ResourceGroupName = group.Name,
            Kind = "functionapp,linux",
            ServerFarmId = servicePlan.Id,
            Reserved = true,
            HttpsOnly = true,
            Identity = new Web.Inputs.ManagedServiceIdentityArgs { Type = Web.ManagedServiceIdentityType.SystemAssigned },
            SiteConfig = siteConfig,
        };
        if (plan.LinuxFxVersion is { } linuxFxVersion)
        {
            // Elastic Premium on Linux: the platform image for a .NET 10 isolated worker.
            siteConfig.LinuxFxVersion = linuxFxVersion;
        }

        if (plan.IsFlex)
        {
            // Flex Consumption: the runtime, the deployment container and the scale settings live in functionAppConfig.
            appArgs.FunctionAppConfig = new Web.Inputs.FunctionAppConfigArgs
            {
                Deployment = new Web.Inputs.FunctionsDeploymentArgs
                {
                    Storage = new Web.Inputs.FunctionsDeploymentStorageArgs
                    {
                        Type = Web.FunctionsDeploymentStorageType.BlobContainer,
                        Value = Output.Format($"{storage.PrimaryEndpoints.Apply(endpoints => endpoints.Blob)}{deploymentContainer.Name}"),
                        Authentication = new Web.Inputs.FunctionsDeploymentStorageAuthenticationArgs
                        {
                            Type = Web.AuthenticationType.SystemAssignedIdentity,
                        },
                    },
                },
                Runtime = new Web.Inputs.FunctionsRuntimeArgs { Name = HostingPlan.WorkerRuntime, Version = HostingPlan.RuntimeVersion },
                ScaleAndConcurrency = new Web.Inputs.FunctionsScaleAndConcurrencyArgs
                {
                    MaximumInstanceCount = settings.MaximumInstanceCount,
                    InstanceMemoryMB = settings.InstanceMemoryMB,
                },
            };
        }

        return new Web.WebApp("serverless", appArgs);
    }

    private static List<Authorization.RoleAssignment> GrantRoles(StackSettings settings, Output<Authorization.GetClientConfigResult> client,
        Web.WebApp app, StackStorage storage, StackEventHubs eventHubs, StackSignalR signalR)
    {
        // The app's identity: data roles only, each at the narrowest scope (RoleGrants explains each one).
        var principalId = app.Identity.Apply(identity => identity!.PrincipalId);
        var roleAssignments = RoleGrants.ForFunctionApp.Select(grant => new Authorization.RoleAssignment(grant.ResourceName, new()
        {
            PrincipalId = principalId,
            PrincipalType = Authorization.PrincipalType.ServicePrincipal,
            RoleDefinitionId = client.Apply(c => RoleGrants.DefinitionPath(c.SubscriptionId, grant.RoleDefinitionId)),
            Scope = grant.Scope switch
            {
                RoleScope.StorageAccount => storage.App.Id,
                RoleScope.UpdatesTable => storage.Updates.Id,
                RoleScope.DeadLettersTable => storage.DeadLetters.Id,
                RoleScope.EventHub => eventHubs.Hub.Id,
                RoleScope.SignalRSecret => signalR.Secret.Id,
                _ => throw new InvalidOperationException($"No resource for role scope {grant.Scope}."),
            },
            Description = $"{grant.Role} for {grant.Reason}",
        })).ToList();

        // Producers: the one who deploys, and the stack's producerPrincipalIds, send to the hub signed in with Entra ID.
        var producers = settings.ProducerPrincipalIds.Select((id, i) => (Name: $"producer-{i}", Id: (Input<string>)id))
            .Append((Name: "producer-deployer", Id: client.Apply(c => c.ObjectId)));
        foreach (var producer in producers)
        {
            _ = new Authorization.RoleAssignment(producer.Name, new()
            {
                PrincipalId = producer.Id,
                RoleDefinitionId = client.Apply(c => RoleGrants.DefinitionPath(c.SubscriptionId, RoleGrants.ForProducer.RoleDefinitionId)),
                Scope = eventHubs.Hub.Id,
                Description = $"{RoleGrants.ForProducer.Role}: {RoleGrants.ForProducer.Reason}",
            });
        }

        return roleAssignments;
    }

    private static Resources.Deployment DeployCode(Resources.ResourceGroup group, HostingPlan plan, FunctionPackage package,
        StackStorage storage, StackEventHubs eventHubs, Web.WebApp app, List<Authorization.RoleAssignment> roleAssignments)
    {
        var (site, packagesContainer) = (storage.Site, storage.Packages);

        // The code: the package uploaded under its source identity, then deployed through the plan's deployment extension.
        // A rebuild of the same sources differs in bytes (FunctionPackage.SourceIdentity says why), so the blob's content
        // is not compared: a new identity is a new blob, the same identity is no change.
        var packageBlob = new Storage.Blob("function-package", new()
        {
            ResourceGroupName = group.Name,
            AccountName = site.Name,
            ContainerName = packagesContainer.Name,
            BlobName = ResourceNames.PackageBlob(package.Identity),
            Source = new FileAsset(package.ZipPath),
            ContentType = "application/zip",
        }, new CustomResourceOptions { IgnoreChanges = { "source" } });
        var packageLink = Storage.ListStorageAccountServiceSAS.Invoke(new()
        {
            ResourceGroupName = group.Name,
            AccountName = site.Name,
            CanonicalizedResource = Output.Format($"/blob/{site.Name}/{packagesContainer.Name}/{packageBlob.Name}"),
            Resource = "b",
            Permissions = "r",
            Protocols = Storage.HttpProtocol.Https,
            SharedAccessExpiryTime = PackageDeployment.LinkExpiry(DateTimeOffset.UtcNow),
        });
        var packageUri = Output.CreateSecret(Output.Format(
            $"{site.PrimaryEndpoints.Apply(endpoints => endpoints.Blob)}{packagesContainer.Name}/{packageBlob.Name}?{packageLink.Apply(link => link.ServiceSasToken)}"));
        // Deploy once the app may read its storage and the hub, and the package is uploaded.
        var deploymentOptions = new CustomResourceOptions { DependsOn = { packageBlob, eventHubs.ConsumerGroup, storage.Updates, storage.DeadLetters } };
        foreach (var role in roleAssignments)
        {
            deploymentOptions.DependsOn.Add(role);
        }

        return new Resources.Deployment("function-code", new()
        {
            ResourceGroupName = group.Name,
            Properties = new Resources.Inputs.DeploymentPropertiesArgs
            {
                Mode = Resources.DeploymentMode.Incremental,
                Template = JsonDocument.Parse(PackageDeployment.Template(plan)).RootElement,
                Parameters =
                {
                    [PackageDeployment.SiteNameParameter] = new Resources.Inputs.DeploymentParameterArgs { Value = app.Name.Apply(name => (object)name) },
                    [PackageDeployment.PackageUriParameter] = new Resources.Inputs.DeploymentParameterArgs { Value = packageUri.Apply(uri => (object)uri) },
                },
            },
        }, deploymentOptions);
    }

    /// <returns>The API's base address, which the page's config.json names.</returns>
    private static Output<string> PublishWebPage(Resources.ResourceGroup group, StackSettings settings, StackStorage storage, Web.WebApp app,
        IReadOnlyList<WebSiteFile> webFiles)
    {
        var (site, website) = (storage.Site, storage.Website);

        // The web page, with config.json pointing it at the deployed API.
        var apiBase = app.DefaultHostName.Apply(WebSiteFiles.ApiBase);
        foreach (var file in webFiles)
        {
            _ = new Storage.Blob($"web/{file.SitePath}", new()
            {
                ResourceGroupName = group.Name,
                AccountName = site.Name,
                ContainerName = website.ContainerName,
                BlobName = file.SitePath,
                Source = new FileAsset(file.SourcePath),
                ContentType = file.ContentType,
            });
        }

        _ = new Storage.Blob($"web/{WebSiteFiles.ConfigFile}", new()
        {
            ResourceGroupName = group.Name,
            AccountName = site.Name,
            ContainerName = website.ContainerName,
            BlobName = WebSiteFiles.ConfigFile,
            // The page signs in with Microsoft Entra ID (MSAL.js) for the API's scope (docs/azure-deployment.md#sign-in).
            Source = apiBase.Apply(api => (AssetOrArchive)new StringAsset(WebSiteFiles.ConfigJson(api,
                new PageSignIn(PageSignIn.Entra, ClientId: settings.Entra.ApiClientId, Authority: settings.Entra.PageAuthority, Scope: settings.Entra.PageScope)))),
            ContentType = WebSiteFiles.ContentType(WebSiteFiles.ConfigFile),
        });

        return apiBase;
    }

    private sealed record StackStorage(
        Storage.StorageAccount App,
        Storage.StorageAccount Site,
        Storage.Table Updates,
        Storage.Table DeadLetters,
        Storage.BlobContainer Deployment,
        Storage.BlobContainer Packages,
        Storage.StorageAccountStaticWebsite Website,
        Output<string> WebEndpoint,
        Output<string> WebOrigin);

    private sealed record StackEventHubs(EventHub.Namespace Namespace, EventHub.EventHub Hub, EventHub.ConsumerGroup ConsumerGroup);

    private sealed record StackSignalR(KeyVault.Vault Vault, KeyVault.Secret Secret);
}
