namespace Serverless.Contracts.Api;

/// <summary>
/// <c>POST /api/negotiate</c>: where the SignalR client connects and with which token, as SignalR's negotiate redirect
/// has them (<see cref="Url"/>, <see cref="AccessToken"/>), and the SignalR user id the token names: the caller's own
/// user id, or for an anonymous caller a new anonymous id that subscriptions then name.
/// </summary>
public sealed record NegotiateResponse(string Url, string AccessToken, string UserId);
