// API keys: the key format, the key file (hashes only) and creating a key. A key is shown once, when
// it is created; the file keeps its SHA-256, which is enough for 32 random bytes (nothing to guess).
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { ScopeSchema, type Scope } from './scopes.js';

const KEY_PREFIX = 'fgk';
const KeyIdSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'must be 1-40 lower-case letters, digits or dashes');
const HASH_PATTERN = /^sha256:[A-Za-z0-9_-]{43}$/;

export const ApiKeyRecordSchema = z.object({
  id: KeyIdSchema,
  name: z.string().min(1).max(200),
  /** "sha256:" + base64url of the SHA-256 of the whole key. */
  hash: z.string().regex(HASH_PATTERN, 'must be "sha256:" and 43 base64url characters'),
  scopes: z.array(ScopeSchema).min(1),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  revoked: z.boolean().default(false),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecordSchema>;

export const ApiKeyFileSchema = z.object({ keys: z.array(ApiKeyRecordSchema) }).superRefine((file, ctx) => {
  const seen = new Set<string>();
  file.keys.forEach((key, index) => {
    if (seen.has(key.id))
      ctx.addIssue({ code: 'custom', path: ['keys', index, 'id'], message: `duplicate key id ${key.id}` });
    seen.add(key.id);
  });
});
export type ApiKeyFile = z.infer<typeof ApiKeyFileSchema>;

/** The stored form of a key: what the key file holds instead of the key itself. */
export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('base64url')}`;
}

/** The key id a presented key names ("fgk.<id>.<secret>"), or null when it is not one of ours. */
export function apiKeyId(key: string): string | null {
  const match = /^fgk\.([a-z0-9-]{1,40})\.[A-Za-z0-9_-]{43}$/.exec(key);
  return match ? match[1]! : null;
}

export interface CreatedApiKey {
  /** The key itself: hand it to its owner once; FlowGuard never stores or shows it again. */
  key: string;
  /** What goes into the key file. */
  record: ApiKeyRecord;
}

/** A new key: 32 random bytes, its id, and the record (hash, scopes) for the key file. */
export function createApiKey(options: {
  name: string;
  scopes: Scope[];
  id?: string;
  expiresAt?: Date;
  now?: Date;
}): CreatedApiKey {
  const id = KeyIdSchema.parse(options.id ?? randomBytes(6).toString('hex'));
  const key = `${KEY_PREFIX}.${id}.${randomBytes(32).toString('base64url')}`;
  const record = ApiKeyRecordSchema.parse({
    id,
    name: options.name,
    hash: hashApiKey(key),
    scopes: [...new Set(options.scopes)],
    createdAt: (options.now ?? new Date()).toISOString(),
    ...(options.expiresAt ? { expiresAt: options.expiresAt.toISOString() } : {}),
    revoked: false,
  });
  return { key, record };
}

/** Reads and checks a key file (JSON, or YAML by its extension); the error names what is wrong. */
export function readApiKeyFile(path: string): ApiKeyFile {
  const text = readFileSync(path, 'utf8');
  const data: unknown = /\.ya?ml$/i.test(path) ? YAML.parse(text) : JSON.parse(text);
  const parsed = ApiKeyFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Adds (or replaces by id) a key record, writing the file whole so a reader never sees half of it. */
export function addApiKeyToFile(path: string, record: ApiKeyRecord, read = readExisting): void {
  const file = read(path);
  const keys = [...file.keys.filter((key) => key.id !== record.id), record];
  writeApiKeyFile(path, { keys });
}

export function writeApiKeyFile(path: string, file: ApiKeyFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  const text = /\.ya?ml$/i.test(path) ? YAML.stringify(file) : `${JSON.stringify(file, null, 2)}\n`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
}

function readExisting(path: string): ApiKeyFile {
  try {
    return readApiKeyFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [] };
    throw error;
  }
}
