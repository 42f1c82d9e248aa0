// A session is how the page hears of new updates: SignalR on one of its transports, or plain polling of /updates.
// Both follow the page's channels (`page.followed`) and start a channel through `page.begin`; a channel the caller may
// not follow goes to `page.refused`.
import { isRefusal } from "./api.js";

// SignalR on the chosen transport: negotiate through the function app, join the channels' groups, catch up;
// after a reconnect, join again and catch up.
export function signalRSession(transportName, page) {
  const { api, identity, followed, setState, showError } = page;
  const transport = {
    websockets: signalR.HttpTransportType.WebSockets,
    sse: signalR.HttpTransportType.ServerSentEvents,
    longpolling: signalR.HttpTransportType.LongPolling,
  }[transportName];
  // The function app's negotiate names the connection's SignalR user: the signed-in user, or a new anonymous id that
  // this page's subscriptions must name. The SignalR client keeps it to itself, so the page reads it on the way.
  const negotiated = new NegotiateObserver();
  const connection = new signalR.HubConnectionBuilder()
    // The function app answers CORS with '*', which browsers accept only without credentials.
    .withUrl(page.apiBase, { transport, withCredentials: false, httpClient: negotiated, accessTokenFactory: () => identity.accessToken() })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (retry) => Math.min(10000, 250 * 2 ** retry.previousRetryCount) })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  let stopped = false;
  let renewal = null;

  connection.on("updates", (message) => followed.get(message.channel)?.follower.push(message));
  connection.onreconnecting(() => setState("reconnecting"));
  connection.onreconnected(async () => {
    setState("connected", `connected (${transportName})`);
    await join([...followed.keys()]).catch(showError);
  });
  connection.onclose(() => {
    if (!stopped) {
      // Automatic reconnect gave up (or never started): start over until stopped.
      setState("reconnecting");
      setTimeout(() => !stopped && start().catch(() => {}), 2000);
    }
  });

  async function join(channels) {
    if (channels.length === 0 || connection.state !== signalR.HubConnectionState.Connected) {
      return;
    }
    const answer = await subscribeAllowed(channels);
    if (!answer) return;
    renew(answer.expiresInSeconds);
    await Promise.all(answer.channels.map(async ({ channel, epoch, head }) => {
      const entry = followed.get(channel);
      if (!entry) return;
      if (entry.follower.started) {
        await entry.follower.catchUp(epoch, head);
      } else {
        await page.begin(channel);
      }
    }));
  }

  // A subscription is refused whole when one of its channels may not be followed (401, 403): then each channel alone
  // finds which, those are dropped with a word why, and the rest are joined.
  async function subscribeAllowed(channels) {
    try {
      return await api.subscribe(negotiated.userId, channels);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      if (channels.length === 1) {
        page.refused(channels[0], error);
        return null;
      }
    }
    const answers = [];
    for (const channel of channels) {
      const answer = await subscribeAllowed([channel]);
      if (answer) answers.push(answer);
    }
    return answers.length === 0 ? null : { channels: answers.flatMap((a) => a.channels), expiresInSeconds: Math.min(...answers.map((a) => a.expiresInSeconds)) };
  }

  // A subscription lasts a few minutes unless renewed (what the caller may no longer follow is refused then): renew
  // every followed channel half-way through.
  function renew(expiresInSeconds) {
    if (renewal || stopped) return;
    renewal = setInterval(() => {
      if (connection.state === signalR.HubConnectionState.Connected && followed.size > 0) {
        subscribeAllowed([...followed.keys()]).catch(showError);
      }
    }, (expiresInSeconds * 1000) / 2);
  }

  async function start() {
    setState("connecting");
    try {
      await connection.start();
    } catch (error) {
      showError(error);
      setState("reconnecting");
      if (!stopped) setTimeout(() => !stopped && start().catch(() => {}), 2000);
      return;
    }
    setState("connected", `connected (${transportName})`);
    await join([...followed.keys()]);
  }

  return {
    start,
    join,
    async stop() {
      stopped = true;
      clearInterval(renewal);
      await connection.stop();
    },
  };
}

// The SignalR client's HTTP client with one addition: it keeps the user id the function app's negotiate answers.
class NegotiateObserver extends signalR.DefaultHttpClient {
  constructor() {
    super(signalR.NullLogger.instance);
    this.userId = null;
  }

  async send(request) {
    const response = await super.send(request);
    if (request.url?.includes("/negotiate?") && typeof response.content === "string") {
      try {
        const answer = JSON.parse(response.content);
        if (answer.userId) this.userId = answer.userId;
      } catch {
        // not JSON: the SignalR client reports it
      }
    }
    return response;
  }
}

// Plain polling of /updates: no push at all, every update is fetched.
export function pollingSession(page) {
  const { followed, setState, showError, pollInterval } = page;
  let timer = null;
  let stopped = false;
  async function tick() {
    try {
      await Promise.all([...followed.entries()].map(async ([channel, entry]) => {
        try {
          await page.begin(channel);
          await entry.follower.poll();
        } catch (error) {
          if (!isRefusal(error)) throw error;
          page.refused(channel, error);
        }
      }));
      setState("polling", `polling every ${pollInterval / 1000} s`);
    } catch (error) {
      showError(error);
      setState("reconnecting", "polling (retrying)");
    }
    if (!stopped) timer = setTimeout(tick, pollInterval);
  }
  return {
    async start() {
      await tick();
    },
    async join(channels) {
      await Promise.all(channels.map((channel) => page.begin(channel)));
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
