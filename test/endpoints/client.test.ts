import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, WebServiceClient } from '../../src/endpoints/client.js';
import type { Instance } from '../../src/endpoints/types.js';
import { startFakeWebService, type FakeWebService } from '../helpers/fake-webservice.js';
import { refusedPort } from '../helpers/servers.js';

const ID = '7b0a54c2-1c6f-4a4e-9d55-0e4f1a2b3c4d';
let fake: FakeWebService;
const clients: WebServiceClient[] = [];
const client = (over: { baseUrl?: string; maxBodyBytes?: number } = {}) => {
  const c = new WebServiceClient({ baseUrl: fake.url, clientRequestId: ID, timeoutMs: 2000, ...over });
  clients.push(c);
  return c;
};
const reasonOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (err: unknown) => (err instanceof FetchError ? err.reason : `not a FetchError: ${String(err)}`),
  );

beforeAll(async () => {
  fake = await startFakeWebService();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await fake.close();
});

describe('WebServiceClient', () => {
  it('reads /version for all four instances', async () => {
    const expected: Record<Instance, string> = { Worldwide: '2025120100', USGovDoD: '2025110300', USGovGCCHigh: '2025110300', China: '2025100100' };
    for (const [instance, version] of Object.entries(expected)) expect(await client().version(instance as Instance)).toBe(version);
  });

  it('reads /changes since a version, with the documented record fields', async () => {
    const all = await client().changes('Worldwide');
    expect(all.map((c) => [c.id, c.endpointSetId, c.disposition, c.version])).toEqual([
      [424, 32, 'Change', '2025110300'],
      [425, 1, 'Change', '2025120100'],
      [426, 57, 'Remove', '2025120100'],
    ]);
    expect(all[1]?.add).toEqual({ effectiveDate: '20251231', ips: ['150.171.32.0/22'], urls: [] });
    expect(all[2]?.remove?.urls).toEqual(['legacy.office-retired.net']);
    expect((await client().changes('Worldwide', '2025110300')).map((c) => c.id)).toEqual([425, 426]);
    expect(fake.lastQuery('/changes/Worldwide/2025110300')?.get('ClientRequestId')).toBe(ID);
  });

  it('keeps a path prefix of the base URL and sends only the options asked for', async () => {
    const c = client({ baseUrl: `${fake.url}/` });
    await c.endpoints('China', {});
    const query = fake.lastQuery('/endpoints/China');
    expect([...(query?.keys() ?? [])]).toEqual(['ClientRequestId']);
    expect(c.url('/endpoints/China', {}).href).toBe(`${fake.url}/endpoints/China?ClientRequestId=${ID}`);
    expect(client({ baseUrl: 'https://proxy.example/o365/' }).url('/version/Worldwide', {}).href).toBe(`https://proxy.example/o365/version/Worldwide?ClientRequestId=${ID}`);
  });

  it('maps failures to the closed reason set', async () => {
    expect(await reasonOf(client().version('Mars' as Instance))).toBe('http_other'); // the fake answers 400
    expect(await reasonOf(client({ maxBodyBytes: 1000 }).endpoints('Worldwide', {}))).toBe('invalid_shape');
    expect(await reasonOf(client({ baseUrl: `http://127.0.0.1:${await refusedPort()}` }).version('Worldwide'))).toBe('network');
    fake.setBehaviour('wrong_shape', ['changes']);
    expect(await client().changes('Worldwide')).toEqual([]); // an array of non-records: none kept
    fake.setBehaviour('truncated', ['changes']);
    expect(await reasonOf(client().changes('Worldwide'))).toBe('invalid_json');
    fake.setBehaviour('normal');
  });
});
