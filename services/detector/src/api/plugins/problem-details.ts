// One error handler for the whole app: every error, from a route, a hook, the body parser or the rate
// limit, is answered as application/problem+json; unknown routes get a (rate-limited) 404 problem.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ApiProblem, describeError, PROBLEM_CONTENT_TYPE } from '../problems.js';

const problemDetails: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((error, request, reply) => {
    const { problem, headers, serverFault } = describeError(error, request.id);
    if (serverFault) request.log.error({ err: error }, 'request failed');
    else if (problem.status >= 500) request.log.warn({ err: error, code: problem.code }, 'request failed');
    return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
  });

  // Probing for routes costs budget too (see fastify/demo): the not-found answer is rate-limited.
  app.setNotFoundHandler({ preHandler: app.rateLimit() }, async (request) => {
    throw new ApiProblem('FG_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
};

export default fp(problemDetails, {
  name: 'flowguard-problem-details',
  fastify: '5.x',
  dependencies: ['flowguard-rate-limit'],
});
