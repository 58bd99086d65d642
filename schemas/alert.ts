// Wire contract v1 of the alerts topic (payments.alerts): key = walletId, value = this JSON object.
import { z } from 'zod';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const EvidenceItemSchema = z.object({
  rule: z.string(),
  feature: z.string(),
  value: z.union([z.number(), z.string()]),
  threshold: z.union([z.number(), z.string()]).optional(),
  comparison: z.enum(['>=', '<=', '>', '<', '=']).optional(),
  window: z.string().optional(),
  unit: z.string().optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItemSchema>;

export const AlertSchema = z.object({
  schemaVersion: z.literal(1),
  alertId: z.string(),
  walletId: z.string(),
  rules: z.array(z.string()).min(1),
  severity: SeveritySchema,
  score: z.number().min(0).max(100),
  detectedAt: z.iso.datetime(),
  eventTime: z.iso.datetime({ offset: true }),
  window: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
  evidence: z.array(EvidenceItemSchema),
  sampleEventIds: z.array(z.string()),
  summary: z.string(),
  previousAlertId: z.string().optional(),
  relatedWalletIds: z.array(z.string()).optional(),
});
export type Alert = z.infer<typeof AlertSchema>;
