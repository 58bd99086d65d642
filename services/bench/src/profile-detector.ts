// `npx tsx services/bench/src/profile-detector.ts [--events N] [--wallets N] [--partitions N]`:
// runs one detector process under `node --cpu-prof` on a backlog and splits its cost between the
// detector's JavaScript (by area and function) and Redis (by command, from INFO commandstats).
// Writes docs/bench/profile.md; the raw .cpuprofile stays in a temporary directory.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';
import { parseBenchOptions } from './bench-options.js';
import { percent, revision } from './bench-report.js';
import { mainThreadProfile, summarizeProfile, type TimeShare } from './cpu-profile-summary.js';
import { detectorEnv, spawnDetector } from './detector-process.js';
import { threadCpuSeconds } from './machine-cpu.js';
import { BacklogGenerator } from './event-generator.js';
import {
  committedCount,
  createBenchKafka,
  createTopics,
  produceAll,
  sleep,
  topicMessageCount,
} from './kafka-bench.js';
import { deleteKeys, localRedisPid, parseInfo, readCounters } from './redis-probe.js';

const DAY = 86_400_000;

/** usec spent per command (script-internal commands included, and inside the scripts' own total). */
async function commandMicros(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const stats = new Map<string, { calls: number; usec: number }>();
  for (const [field, value] of Object.entries(parseInfo(await redis.info('commandstats')))) {
    const match = /calls=(\d+),usec=(\d+)/.exec(value);
    if (match) stats.set(field.slice('cmdstat_'.length), { calls: Number(match[1]), usec: Number(match[2]) });
  }
  return stats;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseBenchOptions(
    argv.some((a) => a.startsWith('--events')) ? argv : ['--events', '100000', '--wallets', '10000', ...argv],
    process.env,
    join(REPO_ROOT, 'docs', 'bench'),
  );
  const kafka = createBenchKafka(options.kafkaBrokers, `flowguard-profile-${options.run}`);
  const admin = kafka.admin();
  const redis = new Redis(options.redisUrl);
  const base = `bn-${options.run}-prof`;
  const names = {
    inputTopic: `${base}.in`,
    alertsTopic: `${base}.alerts`,
    deadLetterTopic: `${base}.dlq`,
    groupId: `${base}.detector`,
    keyPrefix: `bn${options.run}p`,
  };
  const profileDir = mkdtempSync(join(tmpdir(), 'flowguard-profile-'));
  await admin.connect();
  try {
    await createTopics(admin, [names.inputTopic], options.partitions);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const generator = new BacklogGenerator(
      { wallets: options.wallets, seed: options.seed, eventIdPrefix: `bn${options.run}p` },
      options.events,
      Date.now(),
      2 * DAY,
    );
    await produceAll(producer, names.inputTopic, () => generator.nextChunk(5_000));
    await producer.disconnect();
    const total = await topicMessageCount(admin, names.inputTopic);

    const loadAtStart = loadavg()[0]!;
    const pid = await localRedisPid(redis);
    const before = await readCounters(redis, pid);
    const statsBefore = await commandMicros(redis);
    const detector = spawnDetector(detectorEnv(options, names, options.partitions), {
      nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir],
    });
    const started = performance.now();
    let firstAt: number | undefined;
    // The process's threads, from its first commit to its last: the profile below is the main thread's.
    let threadsAtFirst: { main: number; others: number } | undefined;
    let threadsAtLast: { main: number; others: number } | undefined;
    try {
      while ((await committedCount(admin, names.groupId, names.inputTopic)) < total) {
        if (firstAt === undefined && (await committedCount(admin, names.groupId, names.inputTopic)) > 0) {
          firstAt = performance.now();
          threadsAtFirst = threadCpuSeconds(detector.pid);
        }
        await sleep(200);
      }
      threadsAtLast = threadCpuSeconds(detector.pid);
    } finally {
      await detector.stop();
    }
    const seconds = (performance.now() - (firstAt ?? started)) / 1000;
    const after = await readCounters(redis, pid);
    const statsAfter = await commandMicros(redis);

    const file = mainThreadProfile(readdirSync(profileDir));
    if (!file) throw new Error(`no main-thread profile written to ${profileDir}`);
    const summary = summarizeProfile(join(profileDir, file), 25, 'decodeRecord');
    const redisCommands = [...statsAfter]
      .map(([name, s]) => {
        const was = statsBefore.get(name) ?? { calls: 0, usec: 0 };
        return { name, calls: s.calls - was.calls, usec: s.usec - was.usec };
      })
      .filter((c) => c.calls > 0)
      .sort((a, b) => b.usec - a.usec);
    const redisCpu =
      after.cpuSeconds !== null && before.cpuSeconds !== null ? after.cpuSeconds - before.cpuSeconds : null;

    const threads =
      threadsAtFirst && threadsAtLast
        ? {
            main: threadsAtLast.main - threadsAtFirst.main,
            others: threadsAtLast.others - threadsAtFirst.others,
          }
        : null;
    const threadLine = threads
      ? `From its first commit to its last the process spent ${threads.main.toFixed(1)} CPU s on its main thread and
${threads.others.toFixed(1)} on its other threads (${percent(threads.others / (threads.main + threads.others))} of its CPU: V8's
collector marks, sweeps and scavenges there beside the main thread's share below, and compiles; the
profile sees only the main thread).`
      : 'The process ended before its threads could be read.';
    const rows = (list: TimeShare[]) =>
      list
        .map((s) => `| ${s.name.replace(/\|/g, '\\|')} | ${s.ms.toFixed(0)} | ${percent(s.share)} |`)
        .join('\n');
    const perEvent = (us: number) => (us / total).toFixed(1);
    const markdown = `# Where the detector's time goes

\`npx tsx services/bench/src/profile-detector.ts ${argv.join(' ')}\`: ${total.toLocaleString('en-US')} events,
${options.wallets.toLocaleString('en-US')} wallets, ${options.partitions} partitions; one detector process under
\`node --cpu-prof\` (${(total / seconds).toFixed(0)} events/s from its first commit to its last while profiled);
Kafka ${options.kafkaBrokers.join(',')}, Redis ${options.redisUrl}; revision ${revision()}; ${new Date().toISOString()};
load average (1 min) ${loadAtStart.toFixed(2)} when the detector started.
The process is busy for the share of the run below; the rest of the time it waits, mostly for Redis.
Start-up (${summary.skippedMs.toFixed(0)} ms: loading and compiling modules, connecting) is left out: the
figures count from the first record the detector decoded.
${threadLine}

## Detector process: ${summary.busyMs.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms profiled, ${perEvent(summary.busyMs * 1000)} µs per event

| Area | Self ms | Share of busy |
| --- | --: | --: |
${rows(summary.byArea.slice(0, 15))}

| Function | Self ms | Share of busy |
| --- | --: | --: |
${rows(summary.byFunction)}

## Redis: ${redisCpu === null ? 'server CPU not readable' : `${redisCpu.toFixed(1)} CPU s, ${perEvent(redisCpu * 1e6)} µs per event`}

Commands during the run (INFO commandstats; commands run inside a script are listed on their own and
their time is also part of the script's):

| Command | Calls per event | µs per call | µs per event |
| --- | --: | --: | --: |
${redisCommands
  .slice(0, 20)
  .map(
    (c) =>
      `| ${c.name} | ${(c.calls / total).toFixed(2)} | ${(c.usec / c.calls).toFixed(2)} | ${perEvent(c.usec)} |`,
  )
  .join('\n')}
`;
    console.log(markdown);
    writeFileSync(join(options.outputDir, 'profile.md'), markdown);
    console.log(`profile: ${join(profileDir, file)}`);
  } finally {
    const existing = new Set(await admin.listTopics());
    const topics = [names.inputTopic, names.alertsTopic, names.deadLetterTopic].filter((t) =>
      existing.has(t),
    );
    if (topics.length) await admin.deleteTopics({ topics });
    await admin.deleteGroups([names.groupId]).catch(() => undefined);
    await deleteKeys(redis, names.keyPrefix);
    await admin.disconnect();
    redis.disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
