using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace Microsoft.Azure.Functions.Worker;

/// <summary>
/// The SignalR Service connection-info input: the host gives the function the client URL and an access token for a
/// hub. Declared here with the official package's name and properties, because this machine's package feed does not
/// serve <c>Microsoft.Azure.Functions.Worker.Extensions.SignalRService</c> (docs/functions-bindings.md). The function app
/// makes its own client tokens (docs/identity.md); this app keeps the binding so that the host stand-in's is tested.
/// </summary>
public sealed class SignalRConnectionInfoInputAttribute : InputBindingAttribute
{
    /// <summary>The app setting with the SignalR connection string; the host's default is <c>AzureSignalRConnectionString</c>.</summary>
    public string? ConnectionStringSetting { get; set; }

    /// <summary>The hub the client connects to; <c>%Setting%</c> names an app setting.</summary>
    public string? HubName { get; set; }

    /// <summary>The user id put in the token; a binding expression such as <c>{headers.x-ms-client-principal-id}</c>.</summary>
    public string? UserId { get; set; }

    /// <summary>A JWT whose claims are copied into the token.</summary>
    public string? IdToken { get; set; }

    /// <summary>Which claims of <see cref="IdToken"/> are copied.</summary>
    public string[]? ClaimTypeList { get; set; }
}
