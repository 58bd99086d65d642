// Finds the real Kafka and Redis the tests run against: endpoints from the environment (scripts/test.sh
// starts the local stack and exports them), or, where a Docker engine exists, testcontainers.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { readStackEnv } from '../../services/detector/src/config.js';

type Stop = () => Promise<void>;
const stops: Stop[] = [];

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

export async function setup(project: TestProject): Promise<void> {
  const stack = readStackEnv();
  let kafka = process.env.KAFKA_BROKERS ?? stack.KAFKA_BROKERS;
  let redis = process.env.REDIS_URL ?? stack.REDIS_URL;
  const cluster = process.env.REDIS_CLUSTER_NODES ?? stack.REDIS_CLUSTER_NODES ?? '';

  if ((!kafka || !redis) && dockerAvailable()) {
    const { GenericContainer } = await import('testcontainers');
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const k = await new KafkaContainer('confluentinc/cp-kafka:7.6.1')
      .withKraft()
      .withExposedPorts(9093)
      .start();
    const r = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    kafka = `${k.getHost()}:${k.getMappedPort(9093)}`;
    redis = `redis://${r.getHost()}:${r.getMappedPort(6379)}`;
    stops.push(
      async () => void (await k.stop()),
      async () => void (await r.stop()),
    );
  }
  // Unit tests need neither; integration tests fail with a reason through requireEndpoint().
  project.provide('kafkaBrokers', kafka ?? '');
  project.provide('redisUrl', redis ?? '');
  project.provide('redisClusterNodes', cluster);
}

export async function teardown(): Promise<void> {
  for (const stop of stops) await stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    redisUrl: string;
    redisClusterNodes: string;
  }
}
