import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project's root folder (the one with package.json), from source or from dist/ alike. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
