// The function app's HTTP API, as the page uses it. `base` is config.json's "api", e.g. http://127.0.0.1:7071/api.
export class Api {
  constructor(base) {
    this.base = base.replace(/\/$/, "");
  }

  channels() {
    return this.get("/channels");
  }

  latest(channel) {
    return this.get(`/channels/${encodeURIComponent(channel)}/latest`);
  }

  updates(channel, after, limit) {
    return this.get(`/channels/${encodeURIComponent(channel)}/updates?after=${after}&limit=${limit}`);
  }

  async subscribe(connectionId, channels) {
    const response = await fetch(`${this.base}/subscriptions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ connectionId, channels }),
    });
    return this.read(response, "subscribe");
  }

  async get(path) {
    return this.read(await fetch(this.base + path), `GET ${path}`);
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
