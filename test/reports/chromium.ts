/** The Chromium the report tests drive: Debian's `chromium` package (`.ci/run` installs it). */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumOrFail(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) to test the reports in a browser`);
}
