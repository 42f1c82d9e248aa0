// Signing in with Microsoft Entra ID in a deployed stack: MSAL.js's PublicClientApplication (given, so that this logic
// runs under Node with a stand-in too), a redirect sign-in, and access tokens for the API's scope
// (config.json's signIn: {kind: "entra", clientId, authority, scope}; docs/azure-deployment.md#sign-in).

export class EntraSignIn {
  constructor(app, signIn) {
    this.app = app;
    this.scopes = [signIn.scope];
    this.account = null;
  }

  // MSAL's configuration for the page: the SPA's client id and tenant, coming back to this page, tokens kept for the
  // tab only.
  static configuration(signIn, redirectUri) {
    return {
      auth: { clientId: signIn.clientId, authority: signIn.authority, redirectUri },
      cache: { cacheLocation: "sessionStorage" },
    };
  }

  // After a sign-in redirect, or on any load: the signed-in account, if any.
  async start() {
    await this.app.initialize();
    const result = await this.app.handleRedirectPromise();
    this.account = result?.account ?? this.app.getAllAccounts()[0] ?? null;
    if (this.account) this.app.setActiveAccount(this.account);
    return this.account;
  }

  // What the page shows: the account's user name.
  get user() {
    return this.account?.username ?? null;
  }

  // An access token for the API, silently while MSAL can; a sign-in redirect when Entra ID needs the user.
  async accessToken() {
    if (!this.account) return null;
    try {
      return (await this.app.acquireTokenSilent({ scopes: this.scopes, account: this.account })).accessToken;
    } catch (error) {
      if (error?.name === "InteractionRequiredAuthError") {
        await this.app.acquireTokenRedirect({ scopes: this.scopes, account: this.account });
        return null;
      }
      throw error;
    }
  }

  signIn() {
    return this.app.loginRedirect({ scopes: this.scopes });
  }

  // Forgets the account in this tab without signing it out of Entra ID (its other apps stay signed in).
  signOut() {
    const account = this.account;
    this.account = null;
    return this.app.logoutRedirect({ account, onRedirectNavigate: () => false });
  }
}
