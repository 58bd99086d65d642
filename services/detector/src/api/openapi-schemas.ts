// The schemas the OpenAPI document names as components (#/components/schemas/<id>). A registry of the
// API's own, so the JSON Schema files exported from schemas/ stay as they are.
import { z } from 'zod';
import { AlertSchema } from '../../../../schemas/alert.js';
import { AuditRecordSchema } from '../../../../schemas/audit-record.js';
import { ProblemSchema } from '../../../../schemas/problem.js';
import { TransactionEventSchema } from '../../../../schemas/transaction-event.js';
import { WalletFlagRequestSchema, WalletFlagSchema } from '../../../../schemas/wallet-flag.js';
import { WalletMentionSchema } from '../../../../schemas/wallet-mention.js';
import { WalletRiskSchema } from '../../../../schemas/wallet-risk.js';
import { WatchlistEntrySchema } from '../../../../schemas/watchlist.js';
import { WalletFlagViewSchema } from '../../../../schemas/pages.js';

export const apiSchemas = z.registry<{ id: string }>();

apiSchemas.add(ProblemSchema, { id: 'Problem' });
apiSchemas.add(AlertSchema, { id: 'Alert' });
apiSchemas.add(AuditRecordSchema, { id: 'AuditRecord' });
apiSchemas.add(TransactionEventSchema, { id: 'TransactionEvent' });
apiSchemas.add(WalletFlagRequestSchema, { id: 'WalletFlagRequest' });
apiSchemas.add(WalletFlagSchema, { id: 'WalletFlag' });
apiSchemas.add(WalletFlagViewSchema, { id: 'WalletFlagView' });
apiSchemas.add(WalletMentionSchema, { id: 'WalletMention' });
apiSchemas.add(WalletRiskSchema, { id: 'WalletRisk' });
apiSchemas.add(WatchlistEntrySchema, { id: 'WatchlistEntry' });
