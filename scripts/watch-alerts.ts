// Prints alerts from the alerts topic as they arrive (the README demo), then the risk view of the
// first alerted wallet. Stops after --seconds or once --until-rules have all been seen.
import { parseArgs } from 'node:util';
import { loadConfig } from '../services/detector/src/config/index.js';
import { createKafka } from '../services/detector/src/kafka/kafka-client.js';
import { createLogger } from '../services/detector/src/logger.js';
import { withLocalStack } from './dev/local-stack-env.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '90' },
    'risk-url': { type: 'string', default: 'http://127.0.0.1:8080' },
  },
});
const config = loadConfig(withLocalStack());
const kafka = createKafka(config.kafka, createLogger('silent'), 'flowguard-demo');
const consumer = kafka.consumer({ groupId: `demo-watch-${Date.now()}`, maxWaitTimeInMs: 100 });
const seen: { walletId: string; rules: string[] }[] = [];
const startedAt = Date.now();

await consumer.connect();
// From the beginning, keeping only alerts detected after this watcher started (no race with joining).
await consumer.subscribe({ topic: config.kafka.alertsTopic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const alert = JSON.parse(message.value!.toString()) as {
      walletId: string;
      rules: string[];
      severity: string;
      score: number;
      detectedAt: string;
      eventTime: string;
      summary: string;
    };
    if (Date.parse(alert.detectedAt) < startedAt) return;
    seen.push(alert);
    console.log(`\n[ALERT ${alert.severity.toUpperCase()} score ${alert.score}] ${alert.rules.join(', ')}`);
    console.log(`  ${alert.summary}`);
    console.log(`  event time ${alert.eventTime}, detected ${alert.detectedAt}`);
  },
});
console.log(`watching ${config.kafka.alertsTopic} for ${values.seconds} s ...`);
let lastCount = 0;
let lastChange = Date.now();
const deadline = startedAt + Number(values.seconds) * 1000;
while (Date.now() < deadline && !(seen.length > 0 && Date.now() - startedAt > 20_000 && quietFor(8000))) {
  await new Promise((resolve) => setTimeout(resolve, 500));
}
function quietFor(ms: number): boolean {
  if (seen.length !== lastCount) {
    lastCount = seen.length;
    lastChange = Date.now();
  }
  return Date.now() - lastChange > ms;
}
await consumer.disconnect();
if (seen[0]) {
  const url = `${values['risk-url']}/v1/wallets/${encodeURIComponent(seen[0].walletId)}/risk`;
  // The API wants a key: the demo's, from the environment (scripts/demo.sh).
  const headers: Record<string, string> = process.env.FLOWGUARD_API_KEY
    ? { authorization: `Bearer ${process.env.FLOWGUARD_API_KEY}` }
    : {};
  const risk = (await (await fetch(url, { headers })).json()) as {
    score: number;
    level: string;
    rules: { ruleId: string }[];
  };
  console.log(
    `\nGET ${url}\n  score ${risk.score}, level ${risk.level}, rules ${risk.rules.map((r) => r.ruleId).join(', ')}`,
  );
}
console.log(`\n${seen.length} alert(s) seen.`);
process.exit(seen.length > 0 ? 0 : 1);
