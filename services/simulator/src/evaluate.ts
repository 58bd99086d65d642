// `npm run evaluate`: runs a labelled scenario through the real detector (in-process, real Kafka and
// Redis, names unique to the run), scores its alerts, prints the table and writes docs/evaluation/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { Kafka, Partitioners, logLevel, type Admin } from 'kafkajs';
import { z } from 'zod';
import { AlertSchema, type Alert } from '../../../schemas/alert.js';
import { REPO_ROOT, loadConfig, readStackEnv, type Config } from '../../detector/src/config.js';
import { createDetector } from '../../detector/src/detector.js';
import { createLogger } from '../../detector/src/logger.js';
import { produceEvents } from './event-producer.js';
import { evaluateAlerts, reportTable, reportTotals, type EvaluationReport } from './evaluation-report.js';
import { DEFAULT_SCENARIO, generateScenario, type ScenarioOptions } from './scenario.js';
import { SCENARIO_FLAG_OPTIONS } from './scenario-flags.js';

const QUIET_MS = 3_000;
const POLL_MS = 500;

const FlagsSchema = z.object({
  seed: z.coerce.number().int().default(42),
  days: z.coerce.number().int().min(1).max(30).default(2),
  'warm-up-days': z.coerce.number().int().min(0).max(30).default(7),
  wallets: z.coerce.number().int().min(50).default(3000),
  duplicates: z.coerce.number().min(0).max(0.5).default(0.01),
  reorder: z.coerce.number().min(0).max(0.5).default(0.005),
  timeout: z.coerce.number().int().positive().default(900),
  'no-write': z.boolean().default(false),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...SCENARIO_FLAG_OPTIONS,
      timeout: { type: 'string' },
      'no-write': { type: 'boolean' },
    },
    strict: true,
  });
  const flags = FlagsSchema.parse(values);
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  const config = loadConfig(
    {
      ...process.env,
      INPUT_TOPIC: `eval-${run}.in`,
      ALERTS_TOPIC: `eval-${run}.alerts`,
      DEAD_LETTER_TOPIC: `eval-${run}.dlq`,
      KAFKA_GROUP_ID: `eval-${run}`,
      REDIS_KEY_PREFIX: `ev${run}`,
      PORT: '0',
      LOG_LEVEL: 'warn',
    },
    readStackEnv(),
  );
  const options: ScenarioOptions = {
    ...DEFAULT_SCENARIO,
    seed: flags.seed,
    days: flags.days,
    warmUpDays: flags['warm-up-days'],
    ordinaryWallets: flags.wallets,
    duplicateShare: flags.duplicates,
    reorderShare: flags.reorder,
    // The newest events are "now"; kept so the run's scenario can be regenerated exactly.
    start: new Date(Date.now() - (flags['warm-up-days'] + flags.days) * 86_400_000),
  };
  const scenario = generateScenario(options);
  console.error(
    `evaluate: run ${run}, ${scenario.events.length} events, Kafka ${config.kafka.brokers.join(',')}, ` +
      `Redis ${config.redis.url ?? config.redis.clusterNodes?.join(',')}`,
  );

  const detector = await createDetector(config, createLogger('warn'));
  const kafka = new Kafka({
    clientId: `eval-${run}`,
    brokers: config.kafka.brokers,
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const reader = kafka.consumer({ groupId: `eval-${run}-reader`, maxWaitTimeInMs: 100 });
  const alerts: Alert[] = [];
  let lastAlertAtMs = 0;
  const producedAtMs = new Map<string, number>();
  let elapsedMs = 0;
  try {
    await admin.connect();
    await detector.start();
    await reader.connect();
    await reader.subscribe({ topic: config.kafka.alertsTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const parsed = AlertSchema.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
        if (!parsed.success) {
          console.error('evaluate: an alert that breaks the contract:', message.value?.toString());
          return;
        }
        alerts.push(parsed.data);
        lastAlertAtMs = Date.now();
      },
    });
    await producer.connect();
    const startedAtMs = Date.now();
    await produceEvents(producer, scenario.events, {
      topic: config.kafka.inputTopic,
      rate: 0,
      batchSize: 500,
      onBatch: (batch, sentAtMs) => {
        for (const e of batch) if (!producedAtMs.has(e.eventId)) producedAtMs.set(e.eventId, sentAtMs);
      },
    });
    console.error(
      `evaluate: produced in ${((Date.now() - startedAtMs) / 1000).toFixed(1)} s; waiting for the detector`,
    );
    await waitUntilCaughtUp(admin, config, () => lastAlertAtMs, flags.timeout * 1000);
    elapsedMs = Date.now() - startedAtMs - QUIET_MS;
  } finally {
    await reader.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await detector.stop().catch((error: unknown) => console.error('evaluate: detector stop failed', error));
    await cleanUp(admin, config, run);
    await admin.disconnect();
  }

  const report = evaluateAlerts({
    events: scenario.events,
    labels: scenario.labels,
    alerts,
    producedAtMs,
    ordinaryWallets: options.ordinaryWallets,
    labelledFromMs: scenario.labelledFromMs,
  });
  const throughput = scenario.events.length / (elapsedMs / 1000);
  const endpoints = ['KAFKA_BROKERS', 'REDIS_URL', 'REDIS_CLUSTER_NODES']
    .filter((name) => process.env[name])
    .map((name) => `${name}=${process.env[name]} `)
    .join('');
  const command = `${endpoints}npm run evaluate${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`;
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString(),
  };
  const table = reportTable(report);
  const totals = reportTotals(report);
  console.log(`${table}\n\n${totals}\n- detector throughput: ${Math.round(throughput)} events/s end to end`);
  if (flags['no-write']) return;
  writeReport({
    report,
    options,
    scenarioEvents: scenario.events.length,
    throughput,
    command,
    machine,
    table,
    totals,
  });
}

/** Until the detector's group has committed every input offset and no alert came for QUIET_MS. */
async function waitUntilCaughtUp(
  admin: Admin,
  config: Config,
  lastAlertAtMs: () => number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let caughtUpSinceMs: number | undefined;
  for (;;) {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(config.kafka.inputTopic),
      admin.fetchOffsets({ groupId: config.kafka.groupId, topics: [config.kafka.inputTopic] }),
    ]);
    const done = new Map(
      committed.flatMap((t) => t.partitions.map((p) => [p.partition, BigInt(Math.max(0, Number(p.offset)))])),
    );
    const lag = ends.reduce((sum, p) => sum + (BigInt(p.high) - (done.get(p.partition) ?? 0n)), 0n);
    const now = Date.now();
    if (lag === 0n) caughtUpSinceMs ??= now;
    else caughtUpSinceMs = undefined;
    if (caughtUpSinceMs !== undefined && now - Math.max(caughtUpSinceMs, lastAlertAtMs()) >= QUIET_MS) return;
    if (now > deadline)
      throw new Error(`the detector did not catch up within ${timeoutMs / 1000} s (lag ${lag})`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Deletes the run's Redis keys, topics and consumer groups. */
async function cleanUp(admin: Admin, config: Config, run: string): Promise<void> {
  const pattern = `${config.redis.keyPrefix}:*`;
  const redis = config.redis.url
    ? new Redis(config.redis.url, { lazyConnect: true })
    : new Cluster(config.redis.clusterNodes ?? [], { lazyConnect: true });
  try {
    await redis.connect();
    const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
    let removed = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        // One key at a time in a cluster, since keys of different wallets live in different slots.
        for (const key of keys) removed += await redis.unlink(key);
      } while (cursor !== '0');
    }
    console.error(`evaluate: removed ${removed} Redis keys matching ${pattern}`);
  } catch (error) {
    console.error(`evaluate: could not remove Redis keys matching ${pattern}`, error);
  } finally {
    redis.disconnect();
  }
  const k = config.kafka;
  await admin
    .deleteTopics({ topics: [k.inputTopic, k.alertsTopic, k.deadLetterTopic] })
    .catch((error: unknown) => console.error('evaluate: could not delete the run topics', error));
  await admin
    .deleteGroups([k.groupId, `eval-${run}-reader`])
    .catch((error: unknown) => console.error('evaluate: could not delete the run groups', error));
}

function writeReport(r: {
  report: EvaluationReport;
  options: ScenarioOptions;
  scenarioEvents: number;
  throughput: number;
  command: string;
  machine: { cpu: string; cores: number; node: string; os: string; date: string };
  table: string;
  totals: string;
}): void {
  const dir = join(REPO_ROOT, 'docs', 'evaluation');
  mkdirSync(dir, { recursive: true });
  const start = r.options.start?.toISOString() ?? '';
  const falseAlerts = r.report.falseAlerts.map(
    (f) => `- \`${f.walletId}\` (${f.typology}): ${f.rules.join(', ')} — ${f.firstAlert.summary}`,
  );
  const markdown = `# FlowGuard evaluation — latest run

Generated by \`services/simulator/src/evaluate.ts\`: a labelled scenario (seed ${r.options.seed}) produced as
fast as possible to a fresh input topic and run through the real detector (in-process, real Kafka and
Redis, topics, group and key prefix unique to the run and removed afterwards). Regenerate it; do not edit it.

- command: \`${r.command}\`
- scenario: seed ${r.options.seed}, start ${start}, ${r.options.warmUpDays} warm-up days + ${r.options.days} labelled days,
  ${r.options.ordinaryWallets} ordinary wallets, ${r.scenarioEvents} events
  (duplicates ${r.options.duplicateShare}, late arrivals ${r.options.reorderShare})
- machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.os}
- date: ${r.machine.date}

${r.table}

${r.totals}
- detector throughput: ${Math.round(r.throughput)} events/s end to end

Latency is measured from the moment the triggering event was handed to Kafka to the alert's
\`detectedAt\`. Everything is produced at once, so it includes the time the event waited behind the
backlog: it measures catching up, not the per-event cost at a steady rate.

## Alerted wallets without a suspicious label

${falseAlerts.length ? falseAlerts.join('\n') : 'None.'}
`;
  writeFileSync(join(dir, 'latest.md'), markdown);
  writeFileSync(
    join(dir, 'latest.json'),
    JSON.stringify(
      {
        command: r.command,
        machine: r.machine,
        scenario: { ...r.options, start, events: r.scenarioEvents },
        throughputEventsPerSecond: Math.round(r.throughput),
        ...r.report,
      },
      null,
      2,
    ) + '\n',
  );
  console.error(`evaluate: wrote ${join(dir, 'latest.md')} and latest.json`);
}

main().catch((error: unknown) => {
  console.error('evaluate failed:', error);
  process.exitCode = 1;
});
