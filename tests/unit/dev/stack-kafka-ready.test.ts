// The local stack waits for "Kafka Server started" in the broker's log after a (re)start. A broker
// restarted under a busy detector logs more than a pipe buffer right after that line; the check must
// still see it (it once could not: grep -q left tail to die of SIGPIPE, which pipefail took as "no").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const STACK_SH = join(import.meta.dirname, '..', '..', '..', 'scripts', 'stack', 'stack.sh');
const dir = mkdtempSync(join(tmpdir(), 'fg-kafka-ready-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs stack.sh's kafka_started_since on `log` from byte `offset`, under the script's own shell options. */
function startedSince(log: string, offset: number): boolean {
  writeFileSync(join(dir, 'server.log'), log);
  const script = [
    'set -euo pipefail',
    `eval "$(sed -n '/^kafka_started_since() {/,/^}/p' "$0")"`,
    `KAFKA_LOGS="$1"`,
    `if kafka_started_since "$2"; then echo yes; else echo no; fi`,
  ].join('\n');
  return (
    execFileSync('bash', ['-c', script, STACK_SH, dir, String(offset)])
      .toString()
      .trim() === 'yes'
  );
}

const chatter = (lines: number) => '[t] INFO group coordinator chatter about a rebalance\n'.repeat(lines);

describe('the stack waiting for Kafka', () => {
  it('sees the broker started though megabytes of log followed the line', () => {
    expect(startedSince(`old run\nKafka Server started\n${chatter(40_000)}`, 0)).toBe(true);
  });

  it('does not take a start before the offset for this one', () => {
    const before = 'Kafka Server started\n';
    expect(startedSince(before + chatter(40_000), before.length)).toBe(false);
  });
});
