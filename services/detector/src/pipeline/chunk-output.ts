// What one chunk publishes in its Kafka transaction: alerts (once per alertId), dead letters, and
// audit records, each tied to the input offset that produced it.
import type { Alert } from '../../../../schemas/alert.js';
import type { AuditRecord } from '../../../../schemas/audit-record.js';
import type { Config } from '../config/index.js';
import type { ErrorCode } from '../errors.js';
import { deadLetterRecord } from '../kafka/dead-letter-record.js';
import type { OutputRecord, SourceRecord } from '../kafka/consumer-runtime.js';

export class ChunkOutput {
  private readonly alerts = new Map<string, OutputRecord>();
  private readonly others: OutputRecord[] = [];
  private readonly auditIds = new Set<string>();
  readonly alertSeverities: string[] = [];
  readonly deadLetterCodes: string[] = [];

  constructor(
    private readonly config: Config,
    private readonly nowMs: number,
  ) {}

  /** Adds the alert to the chunk's output; false when the chunk already publishes that alertId. */
  alert(alert: Alert | { alertId: string; walletId: string; json: string }, sourceOffset: number): boolean {
    if (this.alerts.has(alert.alertId)) return false;
    const json = 'json' in alert ? alert.json : JSON.stringify(alert);
    this.alerts.set(alert.alertId, {
      topic: this.config.kafka.alertsTopic,
      key: alert.walletId,
      value: json,
      sourceOffset: String(sourceOffset),
    });
    return true;
  }

  deadLetter(record: SourceRecord, code: ErrorCode, reason: string): void {
    this.deadLetterCodes.push(code);
    this.others.push(
      deadLetterRecord({
        topic: this.config.kafka.deadLetterTopic,
        source: record,
        code,
        reason,
        attempts: 1,
        nowMs: this.nowMs,
        maxBytes: this.config.kafka.maxMessageBytes,
      }),
    );
  }

  /** Once per auditId (a run again may decide what the run before it carried over). */
  audit(record: AuditRecord, sourceOffset: number): void {
    if (this.auditIds.has(record.auditId)) return;
    this.auditIds.add(record.auditId);
    this.others.push({
      topic: this.config.kafka.auditTopic,
      key: record.walletId,
      value: JSON.stringify(record),
      sourceOffset: String(sourceOffset),
    });
  }

  alertCount(): number {
    return this.alerts.size;
  }

  records(): OutputRecord[] {
    return [...this.alerts.values(), ...this.others];
  }
}
