namespace Serverless.Pipeline.CloudEvents;

/// <summary>An event that was not stored, with enough to find and replay it; <see cref="Reason"/> is a <see cref="Contracts.CloudEvents.RejectionReason"/>.</summary>
public sealed record Rejection(string Reason, string Detail, string RawBody, EventOrigin Origin, string? Channel = null, string? EventId = null, string? Source = null);
