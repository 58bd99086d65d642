// Command line and endpoints of `npm run bench`, parsed once. The environment wins over .stack/env.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readStackEnv } from '../../../scripts/dev/local-stack-env.js';

export interface ScalingCase {
  partitions: number;
  instances: number;
}

export interface BenchOptions {
  mode: 'quick' | 'full';
  kafkaBrokers: string[];
  redisUrl: string;
  /** Short id naming this run's topics, groups and Redis prefix (`bn<run>`). */
  run: string;
  seed: number;
  events: number;
  wallets: number;
  partitions: number;
  latencyRates: number[];
  latencySeconds: number;
  scalingEvents: number;
  scalingWallets: number;
  scaling: ScalingCase[];
  /** Parts of the bench to run; all by default. */
  phases: Set<Phase>;
  outputDir: string;
}

export const PHASES = ['throughput', 'latency', 'scaling'] as const;
export type Phase = (typeof PHASES)[number];

const EndpointSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((text) => text.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(/^[^:]+:\d+$/, 'must be host:port')).min(1)),
  REDIS_URL: z.url({ message: 'REDIS_URL is not set and .stack/env names none (run `npm run stack:up`)' }),
});

const positive = z.coerce.number().int().positive();

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv, outputDir: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '20240601' },
      events: { type: 'string' },
      wallets: { type: 'string' },
      partitions: { type: 'string', default: '4' },
      only: { type: 'string' },
    },
  });
  const stack = readStackEnv();
  const endpoints = EndpointSchema.parse({
    KAFKA_BROKERS: env.KAFKA_BROKERS || stack.KAFKA_BROKERS || undefined,
    REDIS_URL: env.REDIS_URL || stack.REDIS_URL || undefined,
  });
  const quick = values.quick === true;
  const only = values.only ? z.array(z.enum(PHASES)).parse(values.only.split(',')) : [...PHASES];
  return {
    mode: quick ? 'quick' : 'full',
    kafkaBrokers: endpoints.KAFKA_BROKERS,
    redisUrl: endpoints.REDIS_URL,
    run: Date.now().toString(36),
    seed: positive.parse(values.seed),
    events: positive.parse(values.events ?? (quick ? 200_000 : 1_000_000)),
    wallets: positive.parse(values.wallets ?? (quick ? 20_000 : 100_000)),
    partitions: positive.parse(values.partitions),
    latencyRates: quick ? [2_000, 5_000] : [2_000, 10_000],
    latencySeconds: 20,
    scalingEvents: quick ? 100_000 : 300_000,
    scalingWallets: quick ? 10_000 : 30_000,
    scaling: quick
      ? [
          { partitions: 1, instances: 1 },
          { partitions: 2, instances: 1 },
          { partitions: 2, instances: 2 },
        ]
      : [1, 2, 4].flatMap((partitions) =>
          [1, 2, 4].filter((i) => i <= partitions).map((instances) => ({ partitions, instances })),
        ),
    phases: new Set(only),
    outputDir,
  };
}
