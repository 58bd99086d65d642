// The console plugin without Kafka or Redis: what it serves, under which headers, and what it refuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../../services/detector/src/api/auth/authenticator.js';
import { consolePlugin } from '../../../services/detector/src/api/console-plugin.js';
import authentication from '../../../services/detector/src/api/plugins/authentication.js';
import problemDetails from '../../../services/detector/src/api/plugins/problem-details.js';
import rateLimit from '../../../services/detector/src/api/plugins/rate-limit.js';
import securityHeaders from '../../../services/detector/src/api/plugins/security-headers.js';
import { createMetrics } from '../../../services/detector/src/metrics.js';

const apps: FastifyInstance[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The plugin in the API's order: headers, authentication (nobody can sign in), limits, problems. */
async function appWith(root?: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(securityHeaders, { corsOrigins: null });
  await app.register(authentication, {
    authenticator: new Authenticator(null, null, Date.now),
    metrics: createMetrics(),
  });
  await app.register(rateLimit, { limits: { max: 100, writeMax: 10, windowMs: 60_000 } });
  await app.register(problemDetails);
  await app.register(consolePlugin, root ? { root } : {});
  apps.push(app);
  return app;
}

describe('console plugin', () => {
  it('answers a detector without a built console with a 404 problem that says how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fg-console-empty-'));
    dirs.push(empty);
    const app = await appWith(empty);
    for (const url of ['/console', '/console/', '/console/console.js']) {
      const answer = await app.inject({ url });
      expect(answer.statusCode).toBe(404);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json()).toMatchObject({
        code: 'FG_NOT_FOUND',
        detail: expect.stringContaining('npm run console:build'),
      });
    }
  });

  it('refuses the session route without a credential, whatever is built', async () => {
    const app = await appWith();
    const answer = await app.inject({ url: '/console/session' });
    expect(answer.statusCode).toBe(401);
    expect(answer.json()).toMatchObject({ code: 'FG_UNAUTHENTICATED' });
    const refused = await app.inject({
      url: '/console/session',
      headers: { authorization: 'Bearer fgk.x.y' },
    });
    expect(refused.statusCode).toBe(401);
  });
});
