import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopProcess } from '../../libs/runtime/app-process';

/** Options of {@link OidcProvider.start}. */
export interface OidcProviderOptions {
  /** The dashboard's public client. */
  clientId: string;
  /** Where the provider may send the browser back to (the dashboard's callback). */
  redirectUris: string[];
  /** The API's audience: an absolute URI (RFC 8707 resource), e.g. `urn:scheduler:api`. */
  audience: string;
  /** Account ids whose access tokens carry `roles: ["admin"]`. */
  admins?: string[];
}

/**
 * A real OpenID provider (`oidc-provider` 9, the certified Node.js implementation) on loopback:
 * discovery, JWKS, the authorization endpoint with its development login and consent pages, and
 * the token endpoint issuing ES256 JWT access tokens for the API's audience. It is ESM and runs
 * in a child process (test/support/oidc-provider/server.mjs), so jest's CommonJS need not load it.
 */
export class OidcProvider {
  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:<port>`: what JWT_ISSUER names. */
    readonly issuer: string,
  ) {}

  static async start(options: OidcProviderOptions): Promise<OidcProvider> {
    const config = { admins: [], ...options };
    const child = spawn(process.execPath, [join(__dirname, 'oidc-provider', 'server.mjs'), JSON.stringify(config)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const issuer = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
      child.once('exit', (code) => reject(new Error(`the OIDC provider exited (${code}): ${errors}`)));
    });
    return new OidcProvider(child, issuer);
  }

  stop(): Promise<void> {
    return stopProcess(this.child);
  }
}
