import { ensureGoProgram, TEMPORAL_SERVER } from '../../../libs/runtime/go-programs';

/** The first run builds the Temporal server (minutes): once, before the files start their clusters. */
export default async function globalSetup(): Promise<void> {
  await ensureGoProgram(TEMPORAL_SERVER, (line) => console.log(`\n[cluster tests] ${line}`));
}
