// Runs the detector as a process: config, HTTP listener, consumer, signals.
import { loadConfig } from './config/index.js';
import { createDetector } from './detector.js';
import { isFlowGuardError } from './errors.js';
import { createLogger } from './logger.js';

function fail(error: unknown, exitCode: number): never {
  console.error(isFlowGuardError(error) ? `${error.code}: ${error.message}` : error);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error, 2);
  }
  const logger = createLogger(config.logLevel);
  const detector = await createDetector(config, logger);
  await detector.app.listen({ host: config.http.host, port: config.http.port });
  await detector.start();
  logger.info(
    {
      input: config.kafka.inputTopic,
      alerts: config.kafka.alertsTopic,
      brokers: config.kafka.brokers,
      http: `${config.http.host}:${config.http.port}`,
    },
    'FlowGuard detector running',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing the chunk in hand');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting without a clean commit (the chunk will be re-delivered)');
      process.exit(1);
    }, config.pipeline.shutdownTimeoutMs);
    timer.unref();
    await detector.stop();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => detector.rules.reload());
}

main().catch((error) => fail(error, 1));
