/** `--config.check`: validate the config (and the files it names) and exit 0 or 1. */
import { loadConfigFile, loadDefaultConfig } from '../config/load.js';
import { buildTargets } from '../config/targets.js';

export async function checkConfig(file: string | undefined, out: (line: string) => void): Promise<number> {
  try {
    const loaded = file ? await loadConfigFile(file) : loadDefaultConfig();
    const targets = await buildTargets(loaded.config);
    out(`config ${loaded.source} is valid: ${loaded.config.targets.length} targets, ${targets.length} scheduled (target x path)`);
    return 0;
  } catch (err) {
    out((err as Error).message);
    return 1;
  }
}
