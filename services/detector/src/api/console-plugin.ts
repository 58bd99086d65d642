// Serves the analyst console (services/console/dist, built by `npm run console:build`) under /console/,
// and GET /console/session: whose credential the console holds and its scopes, so it offers only what
// the analyst may do. The files are public; every byte of data behind them needs the API's credentials.
// Register it after the authentication plugin (its onRoute hook must see the session route).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ConsoleSessionSchema } from '../../../../schemas/console-session.js';
import { SCOPES } from './auth/scopes.js';
import { ApiProblem } from './problems.js';
import './fastify-types.js';

/** Where `npm run console:build` writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

export interface ConsolePluginOptions {
  /** The built console; CONSOLE_DIST by default. */
  root?: string;
}

export const consolePlugin: FastifyPluginAsyncZod<ConsolePluginOptions> = async (app, options) => {
  const root = options.root ?? CONSOLE_DIST;

  app.get(
    '/console/session',
    {
      // The console is an alert console: a credential that cannot read alerts has nothing to do in it.
      config: { scope: 'alerts:read' },
      schema: {
        summary: "The console's sign-in check: who this credential belongs to and what it may do",
        tags: ['console'],
        response: { 200: ConsoleSessionSchema },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new ApiProblem('FG_UNAUTHENTICATED', 'no principal on an authenticated route');
      reply.header('cache-control', 'no-store');
      return {
        id: principal.id,
        name: principal.name,
        kind: principal.kind,
        scopes: SCOPES.filter((scope) => principal.scopes.has(scope)),
      };
    },
  );

  if (!existsSync(join(root, 'index.html'))) {
    // The detector works without its console; say how to get one instead of failing to start.
    app.log.warn({ root }, 'the analyst console is not built (npm run console:build): /console/ answers 404');
    const notBuilt = async () => {
      throw new ApiProblem(
        'FG_NOT_FOUND',
        'the analyst console is not built on this server (npm run console:build)',
      );
    };
    app.get('/console', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }

  // Relative, so it also holds behind a proxy that mounts the detector under a path.
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('console/'));
  await app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    index: ['index.html'],
    preCompressed: true,
    dotfiles: 'ignore',
    decorateReply: false,
    // File names carry no content hash: browsers revalidate (ETag) rather than keep a stale console.
    cacheControl: false,
    setHeaders: (reply) => reply.header('cache-control', 'no-cache'),
  });
};
