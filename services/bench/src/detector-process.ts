// A detector as its own process (`node --import tsx services/detector/src/server.ts`), as it is deployed:
// its own event loop and its own core, so the bench's producer and clock do not share them. The source
// tree is a parameter, so the same bench runs the detector of another revision from its own checkout.
import { startDetectorChild } from '../../../scripts/dev/detector-child.js';

export interface DetectorProcess {
  /** Pid of the node process, also the id of its process group (tsx's esbuild helper joins it). */
  pid: number;
  /** SIGTERM, then wait for a clean exit (the detector commits the chunk in hand first). */
  stop(): Promise<void>;
}

export interface DetectorRunNames {
  inputTopic: string;
  alertsTopic: string;
  deadLetterTopic: string;
  groupId: string;
  keyPrefix: string;
}

/**
 * Environment for one detector, endpoints given explicitly: the plaintext listener and the default Redis
 * user, which every revision understands. The audit and mentions topics are per run too, so no run
 * reads another's (a revision that does not know them ignores them).
 */
export function detectorEnv(
  endpoints: { kafkaBrokers: string[]; redisUrl: string },
  names: DetectorRunNames,
  partitions: number,
  /** Seed nodes of a Redis Cluster to use instead of the standalone Redis. */
  redisClusterNodes?: string[],
): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    ...(redisClusterNodes
      ? { REDIS_CLUSTER_NODES: redisClusterNodes.join(',') }
      : { REDIS_URL: endpoints.redisUrl }),
    INPUT_TOPIC: names.inputTopic,
    ALERTS_TOPIC: names.alertsTopic,
    DEAD_LETTER_TOPIC: names.deadLetterTopic,
    AUDIT_TOPIC: `${names.alertsTopic}.audit`,
    MENTIONS_TOPIC: `${names.alertsTopic}.mentions`,
    KAFKA_GROUP_ID: names.groupId,
    REDIS_KEY_PREFIX: names.keyPrefix,
    PORT: '0',
    LOG_LEVEL: 'warn',
    TOPIC_PARTITIONS: String(partitions),
  };
}

/** The environment of the bench minus what would point a child elsewhere than `env` says. */
function childEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = { ...process.env };
  for (const key of Object.keys(inherited)) {
    if (/^(KAFKA|REDIS)_/.test(key)) delete inherited[key];
  }
  return { ...inherited, ...env };
}

export function spawnDetector(
  env: Record<string, string>,
  options: { root?: string; nodeFlags?: string[] } = {},
): DetectorProcess {
  const child = startDetectorChild({ env: childEnvironment(env), ...options, keptChars: 4_000 });
  let stopping = false;
  void child.exited.then((code) => {
    if (!stopping) console.error(`detector process ${child.pid} exited early (${code}):\n${child.output()}`);
  });
  return {
    pid: child.pid,
    async stop() {
      stopping = true;
      // SIGTERM to the group: the detector commits the chunk in hand and exits; then whatever is left.
      if (child.alive()) child.signalGroup('SIGTERM');
      const code = await child.exited;
      child.signalGroup('SIGKILL');
      if (code !== 0 && code !== null)
        console.error(`detector process ${child.pid} exited ${code}:\n${child.output()}`);
    },
  };
}
