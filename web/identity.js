// Who the page calls the API as. config.json's "signIn" says how people sign in: locally ("local"), a picker of the
// development issuer's users whose tokens the local stack's web server makes; without it, nobody signs in and the
// page follows the public channels. Anonymous is always a choice. ?as=alice picks a user (for links and tests).

const STORAGE_KEY = "serverless.signedInAs";
const RENEW_BEFORE_MS = 5 * 60 * 1000;

export class Identity {
  constructor(signIn, user) {
    this.signIn = signIn ?? null;
    this.user = user;        // null: anonymous
    this.token = null;
    this.expires = 0;
  }

  static async create(signIn, params) {
    const users = signIn?.kind === "local" ? signIn.users ?? [] : [];
    const wanted = params.get("as") ?? sessionStorage.getItem(STORAGE_KEY);
    const identity = new Identity(signIn, users.includes(wanted) ? wanted : null);
    if (identity.user) await identity.accessToken();
    return identity;
  }

  // The people to choose from, anonymous first.
  get choices() {
    return this.signIn?.kind === "local" ? [null, ...(this.signIn.users ?? [])] : [null];
  }

  // The bearer token for the API, renewed before it runs out; null for anonymous.
  async accessToken() {
    if (!this.user) return null;
    if (!this.token || Date.now() > this.expires - RENEW_BEFORE_MS) {
      const response = await fetch(this.signIn.tokenUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: this.user }),
      });
      if (!response.ok) throw new Error(`signing in as ${this.user} answered ${response.status}`);
      const answer = await response.json();
      this.token = answer.token;
      this.roles = answer.roles;
      this.expires = expiryOf(answer.token);
    }
    return this.token;
  }

  // Signs in as another user (null: anonymous) by loading the page again under that identity.
  choose(user) {
    if (user) sessionStorage.setItem(STORAGE_KEY, user);
    else sessionStorage.removeItem(STORAGE_KEY);
    const params = new URLSearchParams(location.search);
    if (user) params.set("as", user);
    else params.delete("as");
    location.search = params.toString();
  }
}

// A JWT's exp, in milliseconds; the page only reads it to know when to renew, the API checks it.
function expiryOf(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return 1000 * JSON.parse(atob(payload)).exp;
}
