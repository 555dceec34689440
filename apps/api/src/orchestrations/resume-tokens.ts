import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes in a resume token: what makes it unguessable. */
const RANDOM_BYTES = 18;
/** Bytes of the tag that says the API issued it. */
const TAG_BYTES = 12;
/** Separates this key from every other one derived from the master secret. */
const CONTEXT = 'temporal-http-scheduler resume tokens v1';

/**
 * The secret of a `waitFor` step's resume URL: 144 random bits and a tag (HMAC of them under a key
 * derived from the master secret), base64url. The orchestration keeps the token (encrypted at
 * rest with its input) and accepts it once, while its step waits; the tag lets the API refuse a
 * made-up token without asking Temporal, so guessing costs the system nothing.
 */
export class ResumeTokens {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    this.key = createHmac('sha256', masterKey).update(CONTEXT).digest();
  }

  issue(): string {
    const random = randomBytes(RANDOM_BYTES);
    return Buffer.concat([random, this.tag(random)]).toString('base64url');
  }

  /** True when the API issued `token` (it may still belong to no waiting step: the orchestration decides). */
  isGenuine(token: string): boolean {
    if (!/^[A-Za-z0-9_-]{40}$/.test(token)) return false;
    const bytes = Buffer.from(token, 'base64url');
    const random = bytes.subarray(0, RANDOM_BYTES);
    return timingSafeEqual(bytes.subarray(RANDOM_BYTES), this.tag(random));
  }

  private tag(random: Buffer): Buffer {
    return createHmac('sha256', this.key).update(random).digest().subarray(0, TAG_BYTES);
  }
}
