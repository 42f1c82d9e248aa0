// The function app's HTTP API, as the page uses it. `base` is config.json's "api", e.g. http://127.0.0.1:7071/api.
// Every call carries the signed-in user's bearer token (none for anonymous).
const SUBSCRIBE_CHUNK = 50; // channels per subscription request, the API's limit
const LATEST_LIMIT = 1000;  // the API's largest page of latest values: a card shows the keys updated last

export class Api {
  constructor(base, identity) {
    this.base = base.replace(/\/$/, "");
    this.identity = identity;
  }

  channels(after) {
    return this.get(`/channels${after ? `?after=${encodeURIComponent(after)}` : ""}`);
  }

  latest(channel) {
    return this.get(`/channels/${encodeURIComponent(channel)}/latest?limit=${LATEST_LIMIT}`);
  }

  updates(channel, after, limit) {
    return this.get(`/channels/${encodeURIComponent(channel)}/updates?after=${after}&limit=${limit}`);
  }

  // Joins `userId` (the negotiated SignalR user) to the channels' groups; answers each channel's position and how
  // long the subscription lasts.
  async subscribe(userId, channels) {
    const answers = [];
    for (let i = 0; i < channels.length; i += SUBSCRIBE_CHUNK) {
      const response = await fetch(`${this.base}/subscriptions`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await this.authorization()) },
        body: JSON.stringify({ userId, channels: channels.slice(i, i + SUBSCRIBE_CHUNK) }),
      });
      answers.push(await this.read(response, "subscribe"));
    }
    return {
      userId: answers[0]?.userId,
      channels: answers.flatMap((a) => a.channels),
      expiresInSeconds: Math.min(...answers.map((a) => a.expiresInSeconds)),
    };
  }

  async get(path) {
    return this.read(await fetch(this.base + path, { headers: await this.authorization() }), `GET ${path}`);
  }

  async authorization() {
    const token = await this.identity?.accessToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  async read(response, what) {
    if (!response.ok) {
      let detail = "";
      try {
        detail = (await response.json()).detail ?? "";
      } catch {
        // not a problem document
      }
      throw new Error(`${what} answered ${response.status} ${detail}`.trim());
    }
    return response.json();
  }
}
