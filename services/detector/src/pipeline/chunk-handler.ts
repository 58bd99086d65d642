// The consumer runtime's handler: one chunk of one partition → run it (transactions, or analyst
// decisions and mentions), write it, hand back the records its Kafka transaction publishes, and clear
// the published pending items once that transaction committed.
import { FlowGuardError } from '../errors.js';
import type { ChunkHandler } from '../kafka/consumer-runtime.js';
import { settleChunk, writeChunk } from './chunk-writer.js';
import { runDecisionChunk } from './decision-chunk.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { runTransactionChunk } from './transaction-chunk.js';

/** Compare-and-set conflicts a chunk absorbs by running again before it counts as a failure. */
const CONFLICT_RUNS = 3;

export function createChunkHandler(deps: PipelineDeps): ChunkHandler {
  const { kafka } = deps.config;
  return async (ctx, records) => {
    const run = ctx.topic === kafka.inputTopic ? runTransactionChunk : runDecisionChunk;
    for (let attempt = 1; ; attempt++) {
      const work = await run(deps, ctx, records);
      const conflicts = await writeChunk(deps, work, ctx.streamKey);
      if (!conflicts.length) {
        return {
          records: work.output.records(),
          afterCommit: async () => {
            deps.metrics.alertsPublished.inc(work.output.alertCount());
            await settleChunk(deps, work);
          },
        };
      }
      deps.metrics.stateConflicts.inc(conflicts.length);
      if (attempt >= CONFLICT_RUNS) {
        throw new FlowGuardError(
          'FG_STATE_CONFLICT',
          `wallets ${conflicts.slice(0, 5).join(', ')} kept changing under this chunk (${attempt} runs)`,
          { retryable: true },
        );
      }
    }
  };
}
