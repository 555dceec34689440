import { ResumeTokens } from './resume-tokens';

describe('ResumeTokens', () => {
  const tokens = new ResumeTokens(Buffer.alloc(32, 7));

  it('issues 40-character base64url tokens with 144 random bits, each different', () => {
    const issued = new Set(Array.from({ length: 1000 }, () => tokens.issue()));
    expect(issued.size).toBe(1000);
    for (const token of issued) expect(token).toMatch(/^[A-Za-z0-9_-]{40}$/);
  });

  it("knows its own tokens, and refuses made-up, altered and other keys' ones", () => {
    const token = tokens.issue();
    expect(tokens.isGenuine(token)).toBe(true);
    expect(tokens.isGenuine('A'.repeat(40))).toBe(false);
    expect(tokens.isGenuine(`${token.slice(0, 39)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
    expect(tokens.isGenuine(`${token}=`)).toBe(false);
    expect(new ResumeTokens(Buffer.alloc(32, 8)).isGenuine(token)).toBe(false);
  });
});
