// Runs every case of tests/follower-scenarios.json against the web page's follower (web/follower.js) and prints one
// JSON answer on stdout: { "<scenario name>": ["<what the follower did>", ...] }, or { "<name>": "error: ..." }.
import { readFile } from "node:fs/promises";

const root = new URL("../../", import.meta.url);
const { scenarios } = JSON.parse(await readFile(new URL("tests/follower-scenarios.json", root), "utf8"));

// follower.js is a browser module with no imports: loaded from its text, as the page loads it, whatever Node's module
// settings are.
const source = await readFile(new URL("web/follower.js", root), "utf8");
const { ChannelFollower } = await import(`data:text/javascript,${encodeURIComponent(source)}`);

// What /updates would serve, from the scenario's 'log' steps.
function simulatedStore() {
  let log = { epoch: null, head: 0 };
  return {
    set(next) { log = next; },
    async page(channel, after, limit) {
      if (after + 1 < (log.firstRetained ?? 1)) {
        throw Object.assign(new Error("410"), { status: 410, firstRetained: log.firstRetained });
      }
      const updates = [];
      const last = Math.min(log.head, after + Math.min(limit, log.pageSize ?? 1000));
      for (let seq = after + 1; log.epoch !== null && seq <= last; seq++) {
        if (!(log.missing ?? []).includes(seq)) updates.push(item(log.epoch, seq));
      }
      return { channel, epoch: log.epoch, head: log.head, updates };
    },
    async latest(channel) {
      return { channel, epoch: log.epoch, head: log.head, values: [], next: null };
    },
  };
}

function item(epoch, seq) {
  return { seq, id: `${epoch}:${seq}`, type: "scenario", data: { seq } };
}

async function run(scenario) {
  const store = simulatedStore();
  const events = [];
  const follower = new ChannelFollower("scenario", (channel, after, limit) => store.page(channel, after, limit), {
    onUpdate: (update, how) => events.push(`${update.id} ${how === "push" ? "push" : "fetch"}`),
    onReset: (epoch) => events.push(`reset ${epoch}`),
    onTrimmed: (firstRetained, latest) => events.push(`trimmed ${firstRetained}, from ${latest.epoch}:${latest.head}`),
    onError: (error) => events.push(`error ${error.message}`),
  }, (channel) => store.latest(channel));
  for (const step of scenario.steps) {
    const [[kind, args]] = Object.entries(step);
    switch (kind) {
      case "log": store.set(args); break;
      case "start": await follower.start(args.epoch, args.from, args.head); break;
      case "catchUp": await follower.catchUp(args.epoch, args.head); break;
      case "push": await follower.push({ channel: "scenario", epoch: args.epoch, updates: args.seqs.map((seq) => item(args.epoch, seq)) }); break;
      case "poll": await follower.poll(); break;
      default: throw new Error(`unknown step '${kind}'`);
    }
  }
  return events;
}

const results = {};
for (const scenario of scenarios) {
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("did not finish within 5 s")), 5000).unref());
  try {
    results[scenario.name] = await Promise.race([run(scenario), timeout]);
  } catch (error) {
    results[scenario.name] = `error: ${error.message}`;
  }
}

console.log(JSON.stringify(results));
process.exit(0);
