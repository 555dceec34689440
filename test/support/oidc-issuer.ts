import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/** The algorithms an identity provider signs with in production mode. */
export type IssuerAlgorithm = 'ES256' | 'RS256';

/** One signing key of the issuer. */
interface SigningKey {
  kid: string;
  alg: IssuerAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Options of {@link OidcIssuer.token}. */
export interface IssuerTokenOptions {
  /** Default ES256. */
  alg?: IssuerAlgorithm;
  /** The `kid` header: default the current key's; null leaves it out. */
  kid?: string | null;
  /** Seconds until `exp` (default 300). */
  ttlSeconds?: number;
}

/**
 * A real OpenID Connect issuer on loopback (node:http): serves its discovery document at
 * `/.well-known/openid-configuration` and its public keys at `/jwks`, mints ES256 / RS256 tokens,
 * rotates keys to new `kid`s, and counts every request to either document.
 */
export class OidcIssuer {
  private readonly server: Server;
  private readonly keys: SigningKey[] = [];
  private readonly current = new Map<IssuerAlgorithm, SigningKey>();
  private readonly counts = { discovery: 0, jwks: 0 };
  private serial = 0;
  private port = 0;
  /** The `issuer` the discovery document names; tests set another to see it refused. */
  discoveryIssuer: string | null = null;
  /** While true, both documents are answered 503 (still counted): an outage, deterministically. */
  down = false;

  private constructor(readonly audience: string) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const outage = () => res.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      if (path === '/.well-known/openid-configuration') {
        this.counts.discovery += 1;
        if (this.down) return outage();
        this.json(res, {
          issuer: this.discoveryIssuer ?? this.issuer,
          jwks_uri: this.jwksUrl,
          id_token_signing_alg_values_supported: ['ES256', 'RS256'],
        });
      } else if (path === '/jwks') {
        this.counts.jwks += 1;
        if (this.down) return outage();
        this.json(res, { keys: this.keys.map((key) => key.publicJwk) });
      } else {
        res.writeHead(404).end();
      }
    });
  }

  /** Starts an issuer with one ES256 and one RS256 key, whose tokens are for `audience`. */
  static async start(audience = 'scheduler-api'): Promise<OidcIssuer> {
    const issuer = new OidcIssuer(audience);
    await new Promise<void>((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
    // Kept, so that the issuer's URLs still name it once stopped (to test an unreachable one).
    issuer.port = (issuer.server.address() as AddressInfo).port;
    await issuer.rotate('ES256');
    await issuer.rotate('RS256');
    return issuer;
  }

  /** `http://127.0.0.1:<port>`: the `iss` of its tokens, and what JWT_ISSUER names. */
  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Where its key set is served: what JWT_JWKS_URL names. */
  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  /** How many times the key set was fetched. */
  get jwksRequests(): number {
    return this.counts.jwks;
  }

  /** How many times the discovery document was fetched. */
  get discoveryRequests(): number {
    return this.counts.discovery;
  }

  /** The current key of `alg`, as its public JWK (with `kid`, `alg` and `use`). */
  publicJwk(alg: IssuerAlgorithm = 'ES256'): JWK {
    return this.signingKey(alg).publicJwk;
  }

  /**
   * Makes a new key of `alg` (next `kid`) the one tokens are signed with, and publishes it; the old
   * key stays published unless `retireOld`. Returns the new `kid`.
   */
  async rotate(alg: IssuerAlgorithm = 'ES256', { retireOld = false } = {}): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    this.serial += 1;
    const kid = `${alg.toLowerCase()}-${this.serial}`;
    const key: SigningKey = { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
    const old = this.current.get(alg);
    if (retireOld && old) this.keys.splice(this.keys.indexOf(old), 1);
    this.keys.push(key);
    this.current.set(alg, key);
    return kid;
  }

  /**
   * A token signed with the current key of `options.alg`: `iss` this issuer, `aud` its audience,
   * `iat` now, `exp` in `ttlSeconds`, then `claims` over them (a claim given as undefined is left out).
   */
  async token(claims: JWTPayload = {}, options: IssuerTokenOptions = {}): Promise<string> {
    const key = this.signingKey(options.alg ?? 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const payload = Object.fromEntries(
      Object.entries({ iss: this.issuer, aud: this.audience, iat: now, exp: now + (options.ttlSeconds ?? 300), ...claims }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    const kid = options.kid === undefined ? key.kid : options.kid;
    return new SignJWT(payload).setProtectedHeader({ alg: key.alg, ...(kid === null ? {} : { kid }) }).sign(key.privateKey);
  }

  /** Closes the server and its connections; its URLs keep naming the now refused port. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private signingKey(alg: IssuerAlgorithm): SigningKey {
    const key = this.current.get(alg);
    if (!key) throw new Error(`no ${alg} key`);
    return key;
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}
