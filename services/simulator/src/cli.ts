// `npm run simulate -- [flags]`: generates a labelled scenario and writes it to files or a Kafka topic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { z } from 'zod';
import { ensureTopic, produceEvents, resolveBrokers } from './event-producer.js';
import { generatorFlag, modeFlag, SCENARIO_FLAG_OPTIONS } from './scenario-flags.js';
import { GENERATOR_OF } from './scenario-generators.js';
import {
  DAY,
  defaultScenarioOptions,
  type Scenario,
  type ScenarioOverrides,
  type TypologyCounts,
} from './scenario-types.js';

const USAGE = `Usage: npm run simulate -- (--out DIR | --kafka) [options]
  --seed N              PRNG seed (42)
  --scenario MODE       warm: warm-up history, then labelled days (default); fresh: the stream starts
                        when FlowGuard starts, the typologies happen on its second day
  --generator NAME      main (scenario.ts, default) or alt (scenario-alt.ts, shaped independently)
  --days N              labelled days (2)
  --warm-up-days N      history before the labelled days (warm: 14; fresh: 0 and nothing else)
  --wallets N           ordinary wallets (3000)
  --duplicates SHARE    share of events sent twice with the same eventId (0)
  --reorder SHARE       share of events delivered a few minutes late (0)
  --out DIR             write DIR/events.ndjson, DIR/labels.json and DIR/mentions.ndjson
  --kafka               produce to Kafka (KAFKA_BROKERS, else .stack/env, else 127.0.0.1:9092)
  --topic NAME          topic (payments.transactions)
  --mentions-topic NAME the scenario's wallet mentions go here first (intel.wallet-mentions)
  --rate N              events per second, 0 = as fast as possible (0)
  --demo                a small scenario for the live demo
  --time-shift-to-now B true: the newest event is now (default); false: start at --start
  --start ISO           warm-up start when not shifted to now (2025-01-01T00:00:00Z)`;

const count = z.coerce.number().int().min(0);
const share = z.coerce.number().min(0).max(0.5);

const FlagsSchema = z
  .object({
    seed: z.coerce.number().int().default(42),
    scenario: modeFlag.default('warm'),
    generator: generatorFlag.default('main'),
    days: z.coerce.number().int().min(1).max(60).optional(),
    'warm-up-days': count.max(60).optional(),
    wallets: z.coerce.number().int().min(50).optional(),
    duplicates: share.default(0),
    reorder: share.default(0),
    out: z.string().min(1).optional(),
    kafka: z.boolean().default(false),
    topic: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/)
      .default('payments.transactions'),
    'mentions-topic': z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,249}$/)
      .default('intel.wallet-mentions'),
    rate: z.coerce.number().min(0).default(0),
    'batch-size': z.coerce.number().int().min(1).max(10_000).default(500),
    demo: z.boolean().default(false),
    'time-shift-to-now': z.enum(['true', 'false']).default('true'),
    start: z.iso.datetime({ offset: true }).default('2025-01-01T00:00:00Z'),
    help: z.boolean().default(false),
  })
  .refine((flags) => flags.help || flags.out !== undefined || flags.kafka, {
    message: 'say where the events go: --out DIR, --kafka, or both',
  })
  .refine((flags) => flags.scenario === 'warm' || !flags['warm-up-days'], {
    message: 'a fresh scenario has no warm-up days',
    path: ['warm-up-days'],
  });
type Flags = z.infer<typeof FlagsSchema>;

const NONE: TypologyCounts = Object.fromEntries(
  Object.keys(defaultScenarioOptions().counts).map((typology) => [typology, 0]),
) as TypologyCounts;

/** The live-demo scenario: a few hundred people, one merchant, one birthday and one campaign. */
const DEMO: ScenarioOverrides = {
  ordinaryWallets: 300,
  counts: { ...NONE, merchant: 1, birthday: 1, crowdfunding: 1 },
  warmUpDays: 3,
  days: 1,
};

export function scenarioOptions(flags: Flags, nowMs = Date.now()): ScenarioOverrides {
  const options: ScenarioOverrides = flags.demo ? { ...DEMO } : {};
  options.mode = flags.scenario;
  if (flags.scenario === 'fresh') options.warmUpDays = 0;
  options.seed = flags.seed;
  if (flags.days !== undefined) options.days = flags.days;
  if (flags['warm-up-days'] !== undefined) options.warmUpDays = flags['warm-up-days'];
  if (flags.wallets !== undefined) options.ordinaryWallets = flags.wallets;
  options.duplicateShare = flags.duplicates;
  options.reorderShare = flags.reorder;
  const defaults = defaultScenarioOptions(flags.scenario);
  const spanDays = (options.warmUpDays ?? defaults.warmUpDays) + (options.days ?? defaults.days);
  options.start =
    flags['time-shift-to-now'] === 'true' ? new Date(nowMs - spanDays * DAY) : new Date(flags.start);
  return options;
}

export function summarize(scenario: Scenario): string {
  const ids = new Set(scenario.events.map((e) => e.eventId));
  const wallets = new Set<string>();
  for (const e of scenario.events) {
    if (e.fromWalletId) wallets.add(e.fromWalletId);
    if (e.toWalletId) wallets.add(e.toWalletId);
  }
  const perTypology = new Map<string, number>();
  for (const l of scenario.labels) perTypology.set(l.typology, (perTypology.get(l.typology) ?? 0) + 1);
  const labels = [...perTypology].map(([typology, n]) => `${typology}=${n}`).join(' ');
  return (
    `${scenario.generator} ${scenario.mode} events=${scenario.events.length} (unique ${ids.size}) wallets=${wallets.size} ` +
    `from=${scenario.events[0]?.occurredAt ?? '-'} mentions=${scenario.mentions.length} labels: ${labels}`
  );
}

function readArgv(): Record<string, unknown> | undefined {
  try {
    return parseArgs({
      options: {
        ...SCENARIO_FLAG_OPTIONS,
        out: { type: 'string' },
        kafka: { type: 'boolean' },
        topic: { type: 'string' },
        'mentions-topic': { type: 'string' },
        rate: { type: 'string' },
        'batch-size': { type: 'string' },
        demo: { type: 'boolean' },
        'time-shift-to-now': { type: 'string' },
        start: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`simulate: ${(error as Error).message}\n\n${USAGE}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const values = readArgv();
  if (!values) {
    process.exitCode = 2;
    return;
  }
  const parsed = FlagsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'flags'}: ${i.message}`);
    console.error(`simulate: ${problems.join('; ')}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const flags = parsed.data;
  if (flags.help) {
    console.log(USAGE);
    return;
  }

  const scenario = GENERATOR_OF[flags.generator](scenarioOptions(flags));
  if (flags.out !== undefined) {
    const dir = resolve(flags.out);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'events.ndjson'), scenario.events.map((e) => JSON.stringify(e) + '\n').join(''));
    writeFileSync(join(dir, 'labels.json'), JSON.stringify(scenario.labels, null, 2) + '\n');
    writeFileSync(
      join(dir, 'mentions.ndjson'),
      scenario.mentions.map((m) => JSON.stringify(m) + '\n').join(''),
    );
  }
  if (flags.kafka) {
    const brokers = resolveBrokers(process.env);
    const kafka = new Kafka({ clientId: 'flowguard-simulator', brokers, logLevel: logLevel.WARN });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopic(admin, flags.topic, 3);
      if (scenario.mentions.length) await ensureTopic(admin, flags['mentions-topic'], 3);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    const started = Date.now();
    try {
      if (scenario.mentions.length) {
        // Mentions go first: each is seen before or during its campaign's first donations anyway.
        await producer.send({
          topic: flags['mentions-topic'],
          acks: -1,
          messages: scenario.mentions.map((m) => ({ key: m.walletId, value: JSON.stringify(m) })),
        });
      }
      await produceEvents(producer, scenario.events, {
        topic: flags.topic,
        rate: flags.rate,
        batchSize: flags['batch-size'],
      });
    } finally {
      await producer.disconnect();
    }
    const seconds = (Date.now() - started) / 1000;
    console.error(`produced to ${flags.topic} at ${brokers.join(',')} in ${seconds.toFixed(1)} s`);
  }
  console.log(summarize(scenario));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error('simulate failed:', error);
    process.exitCode = 1;
  });
}
