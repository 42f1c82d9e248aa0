// The function app's HTTP API, as the page uses it. `base` is config.json's "api", e.g. http://127.0.0.1:7071/api.
// Every call carries the signed-in user's bearer token (none for anonymous).
const SUBSCRIBE_CHUNK = 50; // channels per subscription request, the API's limit
const LATEST_LIMIT = 1000;  // the API's largest page of latest values: a card shows the keys updated last
const MAX_WAITS = 5;        // 429s waited out before a call fails

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
      const body = JSON.stringify({ userId, channels: channels.slice(i, i + SUBSCRIBE_CHUNK) });
      const response = await this.send(`${this.base}/subscriptions`, async () => ({
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await this.authorization()) },
        body,
      }));
      answers.push(await this.read(response, "subscribe"));
    }
    return {
      userId: answers[0]?.userId,
      channels: answers.flatMap((a) => a.channels),
      expiresInSeconds: Math.min(...answers.map((a) => a.expiresInSeconds)),
    };
  }

  async get(path) {
    return this.read(await this.send(this.base + path, async () => ({ headers: await this.authorization() })), `GET ${path}`);
  }

  // A call over the client's request limit is answered 429 with Retry-After: wait that long and ask again, so that a
  // page joining many channels at once slows down rather than fails.
  async send(url, init) {
    for (let waits = 0; ; waits++) {
      const response = await fetch(url, await init());
      if (response.status !== 429 || waits >= MAX_WAITS) return response;
      const seconds = Number(response.headers.get("Retry-After")) || 1;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }

  async authorization() {
    const token = await this.identity?.accessToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  async read(response, what) {
    if (!response.ok) {
      let problem = {};
      try {
        problem = await response.json();
      } catch {
        // not a problem document
      }
      const error = new Error(`${what} answered ${response.status} ${problem.detail ?? ""}`.trim());
      error.status = response.status;
      // 410 from /updates: the log now begins at this sequence number (docs/retention.md).
      if (response.status === 410) error.firstRetained = problem.firstRetained;
      throw error;
    }
    return response.json();
  }
}

// 401 or 403: the caller may not follow the channel (signing in may help with 401).
export function isRefusal(error) {
  return error?.status === 401 || error?.status === 403;
}
