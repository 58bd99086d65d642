// The console on the real stack: the real API app (tests/support/api-fixture.ts, real Kafka and Redis)
// with the console plugin, listening on a free port, two analysts' keys, and a way to publish alerts.
import { readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertSchema, type Alert } from '../../schemas/alert.js';
import type { WalletStateRisk } from '../../schemas/wallet-risk.js';
import { addApiKeyToFile, createApiKey } from '../../services/detector/src/api/auth/api-keys.js';
import type { Scope } from '../../services/detector/src/api/auth/scopes.js';
import { CONSOLE_DIST } from '../../services/detector/src/api/console-plugin.js';
import { eventually, startApiFixture, type ApiFixture } from './api-fixture.js';

/** The people the console tests sign in as (their names show in the header and the audit trail). */
export const ANALYSTS = {
  analyst: {
    id: 'dana',
    name: 'Dana Ivanova',
    scopes: ['alerts:read', 'risk:read', 'flags:write', 'watchlist:write'],
  },
  approver: {
    id: 'sam',
    name: 'Sam Petrov',
    scopes: ['alerts:read', 'risk:read', 'flags:write', 'flags:approve'],
  },
} as const satisfies Record<string, { id: string; name: string; scopes: Scope[] }>;
export type Analyst = keyof typeof ANALYSTS;

export interface ConsoleStack {
  api: ApiFixture;
  /** http://127.0.0.1:<port>: the console is at /console/, the API at /v1/. */
  baseUrl: string;
  keys: Record<Analyst, string>;
  /** Publishes an alert (checked against the contract) to the alerts topic, keyed by its wallet. */
  publishAlert(alert: Alert): Promise<void>;
  /** What riskOf answers for the wallet (the wallet state's part of GET /v1/wallets/:id/risk). */
  setRisk(risk: WalletStateRisk): void;
  close(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  assertConsoleBuilt();
  const api = await startApiFixture();
  const keys = {} as Record<Analyst, string>;
  for (const [role, analyst] of Object.entries(ANALYSTS)) {
    const created = createApiKey({ id: analyst.id, name: analyst.name, scopes: [...analyst.scopes] });
    addApiKeyToFile(api.keyFile, created.record);
    keys[role as Analyst] = created.key;
  }
  // The API re-reads its key file within API_KEYS_RELOAD_INTERVAL (1 s in the fixture).
  for (const key of Object.values(keys)) {
    await eventually(async () => {
      const answer = await api.app.inject({
        url: '/v1/alerts?limit=1',
        headers: { authorization: `Bearer ${key}` },
      });
      return answer.statusCode === 200;
    });
  }

  const server: Server = createServer((request, response) => api.app.routing(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    api,
    baseUrl: `http://127.0.0.1:${port}`,
    keys,
    async publishAlert(alert) {
      const checked = AlertSchema.parse(alert);
      await api.producer.send({
        topic: api.config.kafka.alertsTopic,
        acks: -1,
        messages: [{ key: checked.walletId, value: JSON.stringify(checked) }],
      });
    },
    setRisk(risk) {
      api.knownWallets.set(risk.walletId, risk);
    },
    async close() {
      // Open event streams end when the API closes (its preClose hook); then the port can close.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}

const CONSOLE_SOURCES = new URL('../../services/console/src/', import.meta.url);

/** The browser must test the sources as they are: a missing or stale bundle fails with what to run. */
function assertConsoleBuilt(): void {
  const built = (() => {
    try {
      return statSync(`${CONSOLE_DIST}/console.js`).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newest = readdirSync(CONSOLE_SOURCES, { recursive: true, encoding: 'utf8' })
    .map((name) => statSync(new URL(name, CONSOLE_SOURCES)).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0);
  if (built < newest) {
    throw new Error(
      built === 0
        ? 'the console is not built: run `npm run console:build` (npm test does)'
        : 'the console bundle is older than its sources: run `npm run console:build`',
    );
  }
}
