// Who the page calls the API as. config.json's "signIn" says how people sign in:
// - "local" (up): a picker of the development issuer's users, whose tokens the local web server makes; ?as=alice
//   picks one (for links and tests);
// - "entra" (a deployed stack): Microsoft Entra ID with MSAL.js (web/entra.js);
// - none: nobody signs in.
// Anonymous is always a choice: the page then follows the public channels.
import { EntraSignIn } from "./entra.js";

const STORAGE_KEY = "serverless.signedInAs";
const RENEW_BEFORE_MS = 5 * 60 * 1000;
const ENTRA = "entra";

export class Identity {
  constructor(signIn) {
    this.signIn = signIn ?? null;
    this.user = null; // null: anonymous
    this.entra = null;
    this.token = null;
    this.expires = 0;
    this.error = null;    // why signing in failed, if it did
  }

  static async create(signIn, params) {
    const identity = new Identity(signIn);
    if (signIn?.kind === "local") {
      const wanted = params.get("as") ?? sessionStorage.getItem(STORAGE_KEY);
      identity.user = (signIn.users ?? []).includes(wanted) ? wanted : null;
      try {
        if (identity.user) await identity.accessToken();
      } catch (error) {
        // The sign-in is not there (the local web server went away): go on anonymously and say why.
        identity.user = null;
        identity.error = error;
      }
    } else if (signIn?.kind === ENTRA) {
      await loadScript("lib/msal-browser.min.js");
      const app = new msal.PublicClientApplication(EntraSignIn.configuration(signIn, location.origin + location.pathname));
      identity.entra = new EntraSignIn(app, signIn);
      await identity.entra.start();
      identity.user = identity.entra.user;
    }
    return identity;
  }

  // The choices of the picker, anonymous (null) first: the local users, or signing in with Microsoft.
  get choices() {
    if (this.signIn?.kind === "local") return [null, ...(this.signIn.users ?? [])];
    if (this.entra) return [null, this.user ?? ENTRA];
    return [null];
  }

  // How a choice reads in the picker.
  label(choice) {
    if (choice === null) return "anonymous";
    return choice === ENTRA ? "sign in with Microsoft…" : choice;
  }

  // The bearer token for the API, renewed before it runs out; null for anonymous.
  async accessToken() {
    if (this.entra) return this.entra.accessToken();
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
      this.expires = expiryOf(answer.token);
    }
    return this.token;
  }

  // Signs in as another choice (null: anonymous): with Entra ID by its redirect, locally by loading the page again
  // under that user.
  async choose(choice) {
    if (this.entra) {
      await (choice ? this.entra.signIn() : this.entra.signOut());
      if (!choice) location.reload();
      return;
    }
    if (choice) sessionStorage.setItem(STORAGE_KEY, choice);
    else sessionStorage.removeItem(STORAGE_KEY);
    const params = new URLSearchParams(location.search);
    if (choice) params.set("as", choice);
    else params.delete("as");
    location.search = params.toString();
  }
}

// A JWT's exp, in milliseconds; the page only reads it to know when to renew, the API checks it.
function expiryOf(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return 1000 * JSON.parse(atob(payload)).exp;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`${src} did not load`));
    document.head.append(script);
  });
}
