// Runs the page's Entra ID sign-in logic (web/entra.js) against a stand-in for MSAL.js's PublicClientApplication that
// records what it was asked, for each case the test sends as JSON in argv[2]; prints one JSON answer on stdout.
import { readFile } from "node:fs/promises";

const root = new URL("../../", import.meta.url);
const source = await readFile(new URL("web/entra.js", root), "utf8");
const { EntraSignIn } = await import(`data:text/javascript,${encodeURIComponent(source)}`);
const input = JSON.parse(process.argv[2]);

// The stand-in: an account after the redirect or in the cache, a silent token, or an error that needs the user.
function standIn({ redirectAccount, cachedAccount, silent }) {
  const calls = [];
  const app = {
    calls,
    async initialize() { calls.push(["initialize"]); },
    async handleRedirectPromise() { calls.push(["handleRedirectPromise"]); return redirectAccount ? { account: redirectAccount } : null; },
    getAllAccounts() { return cachedAccount ? [cachedAccount] : []; },
    setActiveAccount(account) { calls.push(["setActiveAccount", account.username]); },
    async acquireTokenSilent(request) {
      calls.push(["acquireTokenSilent", request.scopes, request.account.username]);
      if (silent === "interaction") {
        const error = new Error("interaction required");
        error.name = "InteractionRequiredAuthError";
        throw error;
      }
      return { accessToken: silent };
    },
    async acquireTokenRedirect(request) { calls.push(["acquireTokenRedirect", request.scopes]); },
    async loginRedirect(request) { calls.push(["loginRedirect", request.scopes]); },
    async logoutRedirect(request) { calls.push(["logoutRedirect", request.account?.username, request.onRedirectNavigate()]); },
  };
  return app;
}

const answer = { configuration: EntraSignIn.configuration(input.signIn, input.redirectUri), cases: [] };
for (const example of input.cases) {
  const app = standIn(example);
  const entra = new EntraSignIn(app, input.signIn);
  await entra.start();
  const user = entra.user;
  const token = await entra.accessToken();
  if (example.then === "signIn") await entra.signIn();
  if (example.then === "signOut") await entra.signOut();
  answer.cases.push({ user, token, calls: app.calls, after: entra.user });
}

process.stdout.write(JSON.stringify(answer));
