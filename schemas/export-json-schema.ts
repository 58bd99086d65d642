// Writes JSON Schema files of the wire contracts for consumers that do not use TypeScript.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AlertSchema } from './alert.js';
import { DeadLetterSchema } from './dead-letter.js';
import { TransactionEventSchema } from './transaction-event.js';
import { WalletFlagRequestSchema } from './wallet-flag.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'json');
mkdirSync(outDir, { recursive: true });
const contracts = {
  'transaction-event.v1': { schema: TransactionEventSchema, io: 'input' },
  'alert.v1': { schema: AlertSchema, io: 'output' },
  'dead-letter.v1': { schema: DeadLetterSchema, io: 'output' },
  'wallet-flag-request.v1': { schema: WalletFlagRequestSchema, io: 'input' },
} as const;
for (const [name, { schema, io }] of Object.entries(contracts)) {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  writeFileSync(join(outDir, `${name}.schema.json`), JSON.stringify(json, null, 2) + '\n');
  console.log(`wrote schemas/json/${name}.schema.json`);
}
