import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { answers, startCoturn } from './coturn.js';

describe('the coturn helper', () => {
  // coturn listens on TCP too and cannot start when that port is taken: it logs "Cannot
  // bind" and retries (seen in CI: another process took the port between the helper's
  // check and coturn's bind).
  it('starts on another port when its first one is taken on TCP', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as AddressInfo).port;
    try {
      const coturn = await startCoturn({ firstPort: taken });
      try {
        expect(coturn.port).not.toBe(taken);
        expect(await answers(coturn.port)).toBe(true);
      } finally {
        await coturn.stop();
      }
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });
});
