// A real OpenID provider (oidc-provider, ESM) on loopback for the dashboard's sign-in tests,
// started in a child process by ../oidc-provider.ts. Configuration comes as JSON in argv[2]:
// { clientId, redirectUris, audience (an absolute URI: the resource the dashboard asks for),
//   admins: [account ids whose tokens carry roles: ["admin"]] }.
// It prints one JSON line, { issuer }, once it listens.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const { clientId, redirectUris, audience, admins } = JSON.parse(process.argv[2]);
const signingKey = {
  ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
  alg: 'ES256',
  use: 'sig',
  kid: 'es256-1',
};
const rolesOf = (accountId) => (admins.includes(accountId) ? ['admin'] : []);

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    // The dashboard: a public client (no secret) using the authorization code flow with PKCE.
    {
      client_id: clientId,
      token_endpoint_auth_method: 'none',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  // Any login is an account (the development interactions ask for a name and any password).
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, roles: rolesOf(sub) }) }),
  claims: { openid: ['sub'], roles: ['roles'] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      // The API is a resource server taking JWT access tokens signed ES256, addressed to it.
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== audience) throw new Error(`unknown resource ${resource}`);
        return { scope: 'api', audience, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
  // The roles claim the API reads (JWT_ROLES_CLAIM, default roles), in the access token too.
  extraTokenClaims: (_ctx, token) => (token.kind === 'AccessToken' ? { roles: rolesOf(token.accountId) } : undefined),
  cookies: { keys: ['test-only-cookie-key'] },
});
provider.proxy = false;
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);
