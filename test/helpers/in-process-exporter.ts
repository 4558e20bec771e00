/**
 * The real exporter (config file, scheduler, store, HTTP server) in the test process, on
 * 127.0.0.1:0; `runProbe` defaults to the real probes.
 */
import type { Server } from 'node:http';
import { Exporter } from '../../src/exporter.js';
import { runProbe as realProbe } from '../../src/probes/index.js';
import type { RunProbe } from '../../src/scheduler/scheduler.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';

export interface InProcessExporter {
  exporter: Exporter;
  /** http://127.0.0.1:PORT */
  base: string;
  /** Closes the listener, then stops the exporter. */
  stop(): Promise<void>;
}

export async function startInProcessExporter(configFile: string, runProbe: RunProbe = realProbe): Promise<InProcessExporter> {
  const exporter = await Exporter.start({ configFile, runProbe });
  let server: Server;
  try {
    ({ server } = await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0));
  } catch (err) {
    await exporter.stop();
    throw err;
  }
  const { port } = server.address() as { port: number };
  return {
    exporter,
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      await close(server);
      await exporter.stop();
    },
  };
}
