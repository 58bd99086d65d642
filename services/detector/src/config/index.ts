// Environment → typed configuration, parsed once at start by zod. Nothing else reads process.env, and
// this reads nothing but the environment it is given (tools find the local stack with their own helper).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FlowGuardError } from '../errors.js';
import { apiEnv, buildApiConfig, type ApiConfig } from './api-config.js';
import { buildFeatureConfig, featureEnv, type FeatureConfig } from './feature-config.js';
import { buildHttpConfig, httpEnv, type HttpConfig } from './http-config.js';
import { buildIngestConfig, ingestEnv, type IngestConfig } from './ingest-config.js';
import { buildKafkaConfig, kafkaEnv, type KafkaConfig } from './kafka-config.js';
import { buildPipelineConfig, pipelineEnv, type PipelineConfig } from './pipeline-config.js';
import { buildRedisConfig, redisEnv, type RedisConfig } from './redis-config.js';

export type { ApiConfig, OidcConfig } from './api-config.js';
export type { FeatureConfig, WindowSpec } from './feature-config.js';
export type { HttpConfig } from './http-config.js';
export type { IngestConfig } from './ingest-config.js';
export type { KafkaConfig } from './kafka-config.js';
export type { PipelineConfig } from './pipeline-config.js';
export type { RedisConfig } from './redis-config.js';

const DETECTOR_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_RULES_FILE = join(DETECTOR_ROOT, 'rules', 'default-rules.yaml');

const EnvSchema = z.object({
  ...kafkaEnv,
  ...redisEnv,
  ...featureEnv,
  ...ingestEnv,
  ...pipelineEnv,
  ...httpEnv,
  ...apiEnv,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  kafka: KafkaConfig;
  redis: RedisConfig;
  features: FeatureConfig;
  ingest: IngestConfig;
  pipeline: PipelineConfig;
  http: HttpConfig;
  api: ApiConfig;
  logLevel: string;
  rulesFile: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(definedOnly(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new FlowGuardError('FG_CONFIG_INVALID', `Invalid configuration — ${problems.join('; ')}`);
  }
  const fail = (variable: string, message: string): never => {
    throw new FlowGuardError('FG_CONFIG_INVALID', `Invalid configuration — ${variable}: ${message}`);
  };
  const e = parsed.data;
  const features = buildFeatureConfig(e, fail);
  return {
    kafka: buildKafkaConfig(e, fail),
    redis: buildRedisConfig(e, fail),
    features,
    ingest: buildIngestConfig(e, (major) => features.base.toMinor(major)),
    pipeline: buildPipelineConfig(e),
    http: buildHttpConfig(e),
    api: buildApiConfig(e, fail),
    logLevel: e.LOG_LEVEL,
    rulesFile: e.RULES_FILE ? resolve(e.RULES_FILE) : DEFAULT_RULES_FILE,
  };
}

/** Empty variables count as unset (a blank line in an env file must not override a default). */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}
