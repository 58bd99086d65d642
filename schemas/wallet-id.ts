// The one wallet/reference id contract, shared by the input topic, REST and every other schema.
import { z } from 'zod';

/**
 * 1-128 printable ASCII characters without spaces or braces: braces would break the Redis Cluster hash
 * tag the id is stored under, and an id that ingestion accepts must be one REST can query and flag.
 */
export const WALLET_ID_PATTERN = /^[\x21-\x7a\x7c\x7e]{1,128}$/;

export const WalletIdSchema = z
  .string()
  .regex(WALLET_ID_PATTERN, 'must be 1-128 printable ASCII characters without spaces, { or }');
export type WalletId = z.infer<typeof WalletIdSchema>;
