// The client rules for one channel (docs/client-rules.md), free of the page and the network: apply updates in sequence
// order, drop what was seen (seq <= last), fetch a gap from /updates when a push skips ahead and apply the push only if
// the gap was filled, start over on a new epoch, catch up after (re)subscribing, and when the log no longer holds what
// is missing (410), load the latest values and go on from their head. Work is queued, so a push and a catch-up never
// interleave. clients/Updates/ChannelFollower.cs is the same rules in C#; tests/follower-scenarios.json
// holds the cases both pass.
export class ChannelFollower {
  constructor(channel, fetchPage, handlers, fetchLatest = null) {
    this.channel = channel;
    this.fetchPage = fetchPage;     // (channel, after, limit) => Promise<{epoch, head, updates}>
    this.fetchLatest = fetchLatest; // (channel) => Promise<{epoch, head, values}>
    // { onUpdate(update, how), onReset(epoch), onTrimmed(firstRetained, latest), onError(error) for failed pushes }
    this.handlers = handlers;
    this.epoch = null;
    this.last = 0;
    this.started = false;
    this.pending = [];
    this.queue = Promise.resolve();
  }

  // Joins at `from` in `epoch` (updates up to `from` are history the caller chose to skip): fetches the rest up to
  // `head` as history, then applies the pushes that came before the join.
  start(epoch, from, head) {
    return this.enqueue(async () => {
      this.epoch = epoch;
      this.last = from;
      await this.join(head, "history");
    });
  }

  // After (re)subscribing: the channel stands at `head` in `epoch`; fetch what is missing. A first catch-up is a join
  // from the start of the log.
  catchUp(epoch, head, how = "catch-up") {
    return this.enqueue(async () => {
      this.resetIfNewEpoch(epoch);
      await this.join(head, how);
    });
  }

  async join(head, how) {
    this.started = true;
    if (head > this.last) {
      await this.fetchUntil(head, how);
    }

    for (const message of this.pending.splice(0)) {
      await this.applyMessage(message);
    }
  }

  // Plain polling: fetch whatever follows the last update.
  poll() {
    return this.enqueue(() => this.fetchUntil(Number.MAX_SAFE_INTEGER, "poll"));
  }

  // A message pushed on "updates": { channel, epoch, updates: [{ seq, id, key, type, time, data }] }. Before the join
  // it is kept, and applied after the join's history.
  push(message) {
    if (!this.started) {
      this.pending.push(message);
      return this.queue;
    }

    return this.enqueue(() => this.applyMessage(message)).catch((error) => this.handlers.onError(error));
  }

  async applyMessage(message) {
    this.resetIfNewEpoch(message.epoch);
    for (const update of message.updates) {
      if (update.seq <= this.last) {
        continue;
      }

      if (update.seq > this.last + 1) {
        await this.fetchUntil(update.seq - 1, "catch-up");
      }

      // Store-then-push means the gap is always in storage; if fetching it failed, the next push or catch-up retries.
      if (update.seq === this.last + 1) {
        this.emit(update, "push");
      }
    }
  }

  async fetchUntil(upTo, how) {
    while (this.last < upTo) {
      let page;
      try {
        page = await this.fetchPage(this.channel, this.last, Math.min(1000, upTo - this.last));
      } catch (error) {
        if (error?.status !== 410 || !this.fetchLatest) throw error;
        await this.goOnFromLatest(error.firstRetained);
        continue;
      }
      this.resetIfNewEpoch(page.epoch);
      const before = this.last;
      for (const update of page.updates) {
        if (update.seq === this.last + 1) {
          this.emit(update, how);
        }
      }

      // A page that moves nothing on ends the fetch: asking again would get the same page.
      if (this.last === before || this.last >= page.head) {
        return;
      }
    }
  }

  // What the follower misses is no longer kept: the latest values stand for it, and it goes on from their head.
  async goOnFromLatest(firstRetained) {
    const latest = await this.fetchLatest(this.channel);
    this.resetIfNewEpoch(latest.epoch);
    if (latest.head <= this.last) {
      throw new Error(`${this.channel}: the log begins at #${firstRetained}, and its latest values are not past #${this.last}`);
    }
    this.last = latest.head;
    this.handlers.onTrimmed?.(firstRetained, latest);
  }

  resetIfNewEpoch(epoch) {
    if (epoch && epoch !== this.epoch) {
      const known = this.epoch !== null;
      this.epoch = epoch;
      if (known) {
        this.last = 0;
        this.handlers.onReset(epoch);
      }
    }
  }

  emit(update, how) {
    this.last = update.seq;
    this.handlers.onUpdate(update, how);
  }

  // Runs work after what is queued; a failure goes to the caller and leaves the queue running.
  enqueue(work) {
    const run = this.queue.then(work);
    this.queue = run.catch(() => {});
    return run;
  }
}
