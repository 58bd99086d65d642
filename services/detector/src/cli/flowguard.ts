// The operator's command: `flowguard <command>`. Configuration comes from the environment (the same
// variables as the detector); on a developer machine with no endpoints set, the local stack's are used.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { Kafka } from 'kafkajs';
import { TransactionEventSchema } from '../../../../schemas/transaction-event.js';
import { addApiKeyToFile, createApiKey } from '../api/auth/api-keys.js';
import { SCOPES, ScopeSchema, type Scope } from '../api/auth/scopes.js';
import { loadConfig, type Config } from '../config/index.js';
import { parseDuration } from '../domain/time.js';
import { isFlowGuardError } from '../errors.js';
import { createKafka } from '../kafka/kafka-client.js';
import { createLogger } from '../logger.js';
import { backfill } from '../pipeline/backfill.js';
import { loadRuleCatalog } from '../rules/rule-catalog.js';

/** The environment, or the local stack's endpoints when it names none (a developer machine). */
async function config(): Promise<Config> {
  if (process.env.KAFKA_BROKERS || process.env.REDIS_URL || process.env.REDIS_CLUSTER_NODES)
    return loadConfig(process.env);
  // Only in a checkout: the image has no local stack and sets the environment.
  const { withLocalStack } = await import('../../../../scripts/dev/local-stack-env.js');
  return loadConfig(withLocalStack(process.env));
}

/** "2026-11-01T00:00:00Z", or "15d" (that long before now). */
function parseFrom(text: string): number {
  if (/^\d+[smhd]$/.test(text)) return Date.now() - parseDuration(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new InvalidArgumentError('a time (ISO-8601) or a duration before now (e.g. 15d)');
  return ms;
}

function scopesOf(text: string): Scope[] {
  const scopes = text.split(',').map((s) => s.trim());
  for (const scope of scopes) {
    if (!ScopeSchema.safeParse(scope).success)
      throw new InvalidArgumentError(`unknown scope ${scope} (known: ${SCOPES.join(', ')})`);
  }
  return scopes as Scope[];
}

interface ApiTarget {
  url: string;
  key: string | undefined;
}

const apiOptions = (command: Command) =>
  command
    .addOption(
      new Option('--url <url>', 'the detector').env('FLOWGUARD_URL').default('http://127.0.0.1:8080'),
    )
    .addOption(new Option('--key <key>', 'an API key').env('FLOWGUARD_API_KEY'));

async function callApi(target: ApiTarget, path: string): Promise<unknown> {
  const response = await fetch(new URL(path, target.url), {
    headers: target.key ? { authorization: `Bearer ${target.key}` } : {},
  });
  const body = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
  if (!response.ok) throw new Error(`${response.status} ${body.title ?? ''}: ${body.detail ?? ''}`.trim());
  return body;
}

const program = new Command('flowguard')
  .description('FlowGuard operator commands')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('backfill')
  .description(
    'replay retained history into the wallet state before (or instead of) live consumption: the input topic from a time and/or NDJSON files; the live group then starts where the replay stopped',
  )
  .option(
    '--from <time>',
    'replay the input topic from this time (ISO-8601, or e.g. 15d before now)',
    parseFrom,
  )
  .option('--file <path...>', 'NDJSON files of earlier history, one transaction event per line')
  .addOption(
    new Option(
      '--alerts <mode>',
      'mark: publish alerts found in history with origin "backfill"; hold: decide none',
    )
      .choices(['mark', 'hold'])
      .default('mark'),
  )
  .option('--reset', 'start a new state epoch (rebuilding a wiped Redis)', false)
  .action(async (options: { from?: number; file?: string[]; alerts: 'mark' | 'hold'; reset: boolean }) => {
    if (options.from === undefined && !options.file?.length) throw new Error('give --from, --file, or both');
    const c = await config();
    const report = await backfill(c, createLogger(c.logLevel === 'info' ? 'warn' : c.logLevel, 'stderr'), {
      fromMs: options.from ?? null,
      files: options.file ?? [],
      alerts: options.alerts,
      reset: options.reset,
      progress: (line) => console.log(`backfill: ${line}`),
    });
    console.log(JSON.stringify(report, null, 2));
  });

program
  .command('replay')
  .description(
    'send the events of an NDJSON file to the input topic (each checked against the contract first)',
  )
  .argument('<file>', 'NDJSON, one transaction event per line')
  .option('--rate <events/s>', 'pace the sending', (v) => Number(v))
  .action(async (file: string, options: { rate?: number }) => {
    const c = await config();
    const kafka: Kafka = createKafka(c.kafka, createLogger('warn', 'stderr'), 'flowguard-replay');
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    let accepted = 0;
    const rejected: { line: number; reason: string }[] = [];
    const batch: { key: string; value: string }[] = [];
    const started = Date.now();
    const flush = async () => {
      if (!batch.length) return;
      await producer.send({ topic: c.kafka.inputTopic, acks: -1, messages: batch.splice(0) });
      if (options.rate) {
        const due = started + (accepted / options.rate) * 1000;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
    };
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (!line.trim()) continue;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        rejected.push({ line: index + 1, reason: `not JSON: ${(error as Error).message}` });
        continue;
      }
      const parsed = TransactionEventSchema.safeParse(json);
      if (!parsed.success) {
        rejected.push({
          line: index + 1,
          reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        });
        continue;
      }
      batch.push({ key: parsed.data.toWalletId ?? parsed.data.fromWalletId ?? 'none', value: line });
      accepted += 1;
      if (batch.length >= (options.rate ? Math.max(1, Math.round(options.rate / 10)) : 1000)) await flush();
    }
    await flush();
    await producer.disconnect();
    console.log(
      JSON.stringify(
        {
          topic: c.kafka.inputTopic,
          accepted,
          rejected: rejected.length,
          firstRejections: rejected.slice(0, 20),
        },
        null,
        2,
      ),
    );
    if (rejected.length) process.exitCode = 3;
  });

apiOptions(program.command('wallet'))
  .description("a wallet's risk right now (GET /v1/wallets/:id/risk; scope risk:read)")
  .argument('<walletId>')
  .action(async (walletId: string, target: ApiTarget) => {
    console.log(
      JSON.stringify(await callApi(target, `/v1/wallets/${encodeURIComponent(walletId)}/risk`), null, 2),
    );
  });

const rules = program.command('rules').description('the rule catalog');
rules
  .command('check')
  .description('validate a rules file (YAML or JSON) the way the detector will load it')
  .argument('<file>')
  .action((file: string) => {
    const c = loadConfig({ ...process.env, REDIS_URL: process.env.REDIS_URL ?? 'redis://unused:6379' });
    const catalog = loadRuleCatalog(file, c.features.windows, c.features.base);
    console.log(
      `${file}: valid — ${catalog.rules.length} rules in force: ${catalog.rules.map((r) => r.id).join(', ')}`,
    );
  });

const keys = program.command('keys').description('API keys');
keys
  .command('create')
  .description('create an API key: its hash goes to the key file, the key itself is printed once')
  .requiredOption('--scopes <list>', `comma-separated: ${SCOPES.join(', ')}`, scopesOf)
  .requiredOption('--name <name>', 'who or what the key is for')
  .addOption(new Option('--file <path>', 'the key file').env('API_KEYS_FILE').makeOptionMandatory())
  .option('--expires <duration>', 'valid for this long (e.g. 90d)', (v) => parseDuration(v))
  .action((options: { scopes: Scope[]; name: string; file: string; expires?: number }) => {
    const created = createApiKey({
      name: options.name,
      scopes: options.scopes,
      ...(options.expires ? { expiresAt: new Date(Date.now() + options.expires) } : {}),
    });
    addApiKeyToFile(options.file, created.record);
    console.log(created.key);
    console.error(
      `key ${created.record.id} (${options.scopes.join(', ')}) added to ${options.file}; it is not shown again`,
    );
  });

const flags = program.command('flags').description('analyst flags');
apiOptions(flags.command('list'))
  .description("a wallet's flags and their status (GET /v1/wallets/:id/flags; scope risk:read)")
  .argument('<walletId>')
  .action(async (walletId: string, target: ApiTarget) => {
    console.log(
      JSON.stringify(await callApi(target, `/v1/wallets/${encodeURIComponent(walletId)}/flags`), null, 2),
    );
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(
    isFlowGuardError(error) ? `${error.code}: ${error.message}` : `flowguard: ${(error as Error).message}`,
  );
  process.exitCode = process.exitCode || 1;
}
