import { readyLine } from './start';

describe('the Ready line of npm start', () => {
  it('says how long the start took, and how long with the build that npm start ran first', () => {
    expect(readyLine(10_000, 12_840, 1_000)).toBe('Ready in 2.8 s (11.8 s with the build):');
  });

  it('says only the start when the script ran without a build (node dist/scripts/start.js)', () => {
    expect(readyLine(10_000, 12_840)).toBe('Ready in 2.8 s:');
  });
});
