// Command line and endpoints of `npm run bench`, parsed once. The environment wins over .stack/env.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readStackEnv } from '../../../scripts/dev/local-stack-env.js';

export interface ScalingCase {
  partitions: number;
  instances: number;
  /** Against the Redis Cluster rather than the standalone Redis. */
  cluster: boolean;
}

export interface BenchOptions {
  mode: 'quick' | 'full';
  kafkaBrokers: string[];
  redisUrl: string;
  /** The Redis Cluster's seed nodes, when one is known (the stack has one). */
  redisClusterNodes: string[] | null;
  /** Short id naming this run's topics, groups and Redis prefix (`bn<run>`). */
  run: string;
  seed: number;
  events: number;
  wallets: number;
  partitions: number;
  /** Times each consumer runs over the backlog, alternating. */
  repeats: number;
  /** The revision measured as BEFORE (null: none), and an existing checkout of it to use. */
  before: string | null;
  beforeRoot: string | null;
  latencyRates: number[];
  /** Rates at which BEFORE's latency is measured too (where it keeps up). */
  beforeLatencyRates: number[];
  latencySeconds: number;
  scalingEvents: number;
  scalingWallets: number;
  scaling: ScalingCase[];
  /** Consumers of the side-by-side runs; all five by default. */
  consumers: ConsumerKind[];
  /** Parts of the bench to run; all by default. */
  phases: Set<Phase>;
  outputDir: string;
}

export const CONSUMERS = ['plain', 'decode', 'before', 'new', 'new2'] as const;
export type ConsumerKind = (typeof CONSUMERS)[number];

export const PHASES = ['throughput', 'latency', 'scaling'] as const;
export type Phase = (typeof PHASES)[number];

/** The last revision before pipeline v2: the detector the new one is compared with. */
export const DEFAULT_BEFORE = 'd89568a';

const EndpointSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((text) => text.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(/^[^:]+:\d+$/, 'must be host:port')).min(1)),
  REDIS_URL: z.url({ message: 'REDIS_URL is not set and .stack/env names none (run `npm run stack:up`)' }),
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((text) => (text ? text.split(',').map((n) => n.trim()) : null)),
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
      repeats: { type: 'string', default: '3' },
      before: { type: 'string', default: DEFAULT_BEFORE },
      'before-root': { type: 'string' },
      only: { type: 'string' },
      consumers: { type: 'string' },
    },
  });
  const stack = readStackEnv();
  const endpoints = EndpointSchema.parse({
    KAFKA_BROKERS: env.KAFKA_BROKERS || stack.KAFKA_BROKERS || undefined,
    REDIS_URL: env.REDIS_URL || stack.REDIS_URL || undefined,
    REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES || stack.REDIS_CLUSTER_NODES || undefined,
  });
  const quick = values.quick === true;
  const consumers = values.consumers
    ? z.array(z.enum(CONSUMERS)).parse(values.consumers.split(','))
    : [...CONSUMERS];
  const only = values.only ? z.array(z.enum(PHASES)).parse(values.only.split(',')) : [...PHASES];
  const grid = quick
    ? [
        [1, 1],
        [2, 1],
        [2, 2],
        [4, 2],
      ]
    : [
        [1, 1],
        [2, 1],
        [2, 2],
        [4, 1],
        [4, 2],
        [4, 4],
      ];
  const scaling: ScalingCase[] = grid.map(([partitions, instances]) => ({
    partitions: partitions!,
    instances: instances!,
    cluster: false,
  }));
  if (endpoints.REDIS_CLUSTER_NODES) scaling.push({ partitions: 1, instances: 1, cluster: true });
  return {
    mode: quick ? 'quick' : 'full',
    kafkaBrokers: endpoints.KAFKA_BROKERS,
    redisUrl: endpoints.REDIS_URL,
    redisClusterNodes: endpoints.REDIS_CLUSTER_NODES,
    run: Date.now().toString(36),
    seed: positive.parse(values.seed),
    events: positive.parse(values.events ?? (quick ? 200_000 : 1_000_000)),
    wallets: positive.parse(values.wallets ?? (quick ? 20_000 : 100_000)),
    partitions: positive.parse(values.partitions),
    repeats: positive.parse(values.repeats),
    before: values.before === 'none' ? null : values.before,
    beforeRoot: values['before-root'] ?? null,
    latencyRates: [2_000, 10_000],
    beforeLatencyRates: [2_000],
    latencySeconds: quick ? 20 : 60,
    // Each partition's first chunk (up to ~14,000 events at the default fetch) is left out of the
    // figures: on four partitions that is ~56,000 events, so the rows count several times that.
    scalingEvents: quick ? 300_000 : 1_000_000,
    scalingWallets: quick ? 20_000 : 100_000,
    scaling,
    consumers: CONSUMERS.filter((c) => consumers.includes(c) && (c !== 'before' || values.before !== 'none')),
    phases: new Set(only),
    outputDir,
  };
}
