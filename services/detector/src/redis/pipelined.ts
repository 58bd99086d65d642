// Runs many commands as few round trips: one pipeline on a standalone Redis, one per master node
// (sent concurrently) on a Redis Cluster, where a pipeline may only address one node.
import calculateSlot from 'cluster-key-slot';
import { Cluster, type ChainableCommander } from 'ioredis';
import { FlowGuardError } from '../errors.js';
import type { RedisClient } from './redis-connection.js';

export interface PipelinedCommand {
  /** A key the command touches; decides the node on a cluster. */
  key: string;
  add: (pipeline: ChainableCommander) => void;
}

export interface PipelineStats {
  roundTrips: number;
  commands: number;
}

export const pipelineStats: PipelineStats = { roundTrips: 0, commands: 0 };

export async function runPipelined(client: RedisClient, commands: PipelinedCommand[]): Promise<unknown[]> {
  if (commands.length === 0) return [];
  if (client instanceof Cluster && client.status !== 'ready') await clusterReady(client);
  const groups = groupByNode(client, commands);
  const results: unknown[] = new Array(commands.length);
  await Promise.all(
    groups.map(async (indexes) => {
      const pipeline = client.pipeline();
      for (const i of indexes) commands[i]!.add(pipeline);
      pipelineStats.roundTrips += 1;
      pipelineStats.commands += indexes.length;
      let replies: [Error | null, unknown][] | null;
      try {
        replies = await pipeline.exec();
      } catch (error) {
        throw redisFailure(error);
      }
      if (!replies)
        throw new FlowGuardError('FG_REDIS_UNAVAILABLE', 'Redis pipeline was discarded', { retryable: true });
      replies.forEach(([error, value], position) => {
        if (error) throw redisFailure(error);
        results[indexes[position]!] = value;
      });
    }),
  );
  return results;
}

/** The slot map is known only once the cluster is connected; wait for it (bounded). */
async function clusterReady(cluster: Cluster, timeoutMs = 5_000): Promise<void> {
  if (cluster.status === 'wait') cluster.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cluster.off('ready', onReady);
      reject(new FlowGuardError('FG_REDIS_UNAVAILABLE', 'Redis Cluster is not ready', { retryable: true }));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    cluster.once('ready', onReady);
  });
}

/**
 * Which of `keys` one multi-key call (a script, or MGET) may take together: on a Redis Cluster those of
 * one slot (a call may address only one), elsewhere any; at most `maxPerCall` a call (a call holds the
 * server while it runs). Returns the indexes into `keys` of each call.
 */
export function scriptCallGroups(client: RedisClient, keys: string[], maxPerCall: number): number[][] {
  const groups: number[][] = [];
  if (client instanceof Cluster) {
    const bySlot = new Map<number, number[]>();
    keys.forEach((key, i) => {
      const slot = calculateSlot(key);
      const group = bySlot.get(slot);
      if (group && group.length < maxPerCall) group.push(i);
      else {
        const fresh = [i];
        bySlot.set(slot, fresh);
        groups.push(fresh);
      }
    });
    return groups;
  }
  for (let start = 0; start < keys.length; start += maxPerCall) {
    const end = Math.min(keys.length, start + maxPerCall);
    groups.push(Array.from({ length: end - start }, (_, k) => start + k));
  }
  return groups;
}

function groupByNode(client: RedisClient, commands: PipelinedCommand[]): number[][] {
  if (!(client instanceof Cluster)) return [commands.map((_, i) => i)];
  const byNode = new Map<string, number[]>();
  commands.forEach((command, i) => {
    const node = client.slots[calculateSlot(command.key)]?.[0] ?? 'unknown';
    const list = byNode.get(node);
    if (list) list.push(i);
    else byNode.set(node, [i]);
  });
  return [...byNode.values()];
}

/** Script errors are bugs; everything else (connection lost, failover, LOADING, TRYAGAIN) is retryable. */
export function redisFailure(error: unknown): FlowGuardError {
  if (error instanceof FlowGuardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/ERR (Error running script|user_script)|script:/i.test(message)) {
    return new FlowGuardError('FG_REDIS_SCRIPT', `Redis script failed: ${message}`, { cause: error });
  }
  return new FlowGuardError('FG_REDIS_UNAVAILABLE', `Redis call failed: ${message}`, {
    cause: error,
    retryable: true,
  });
}
