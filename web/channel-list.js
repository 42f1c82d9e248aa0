// The list of channels the caller may follow (GET /api/channels), a box per channel to follow or leave it, and
// "follow every channel". Read again every 15 seconds (each read costs the function app a head read per channel), and
// every second while it is empty, so that the first channel shows at once.
const REFRESH_MS = 15000;
const REFRESH_WHILE_EMPTY_MS = 1000;

export class ChannelList {
  // `isFollowed(channel)`, `follow(channel)` and `unfollow(channel)` are the page's; `onError` shows what failed.
  constructor(list, followAll, api, { isFollowed, follow, unfollow, onError }) {
    this.list = list;
    this.followAll = followAll;
    this.api = api;
    this.page = { isFollowed, follow, unfollow, onError };
  }

  async keepRefreshing() {
    await this.refresh();
    setTimeout(() => this.keepRefreshing(), this.list.childElementCount === 0 ? REFRESH_WHILE_EMPTY_MS : REFRESH_MS);
  }

  async refresh() {
    try {
      for (const { channel, head } of await this.readAll()) {
        const item = this.item(channel) ?? this.add(channel);
        item.querySelector(".head").textContent = `#${head}`;
        if (this.followAll.checked && !this.page.isFollowed(channel)) {
          this.page.follow(channel);
        }
        item.querySelector("input").checked = this.page.isFollowed(channel);
      }
    } catch (error) {
      this.page.onError(error);
    }
  }

  // The box of a channel the page stopped following on its own (refused, say) is cleared.
  uncheck(channel) {
    const box = this.item(channel)?.querySelector("input");
    if (box) box.checked = false;
  }

  async readAll() {
    const channels = [];
    let after = null;
    do {
      const page = await this.api.channels(after);
      channels.push(...page.channels);
      after = page.next;
    } while (after);
    return channels;
  }

  item(channel) {
    return this.list.querySelector(`li[data-channel="${CSS.escape(channel)}"]`);
  }

  add(channel) {
    const item = document.createElement("li");
    item.dataset.channel = channel;
    item.innerHTML = `<label><input type="checkbox"> <span class="name"></span></label><span class="head"></span>`;
    item.querySelector(".name").textContent = channel;
    item.querySelector("input").addEventListener("change", (e) => (e.target.checked ? this.page.follow(channel) : this.page.unfollow(channel)));
    this.list.append(item);
    return item;
  }
}
