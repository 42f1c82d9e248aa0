namespace Serverless.Local.Topology;

/// <summary>The parts of the local pipeline whose addresses the function app's settings name.</summary>
public enum LocalPart
{
    Storage,
    EventHubs,
    SignalR,
}
