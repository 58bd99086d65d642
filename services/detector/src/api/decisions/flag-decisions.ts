// Maker-checker for analyst flags, as pure functions: a request or a review of a flag → the flag after
// it and the audit record that says so. The routes append the record; the detector applies it.
import type { AuditAction, AuditRecord } from '../../../../../schemas/audit-record.js';
import type { Principal, WalletFlag, WalletFlagRequest } from '../../../../../schemas/wallet-flag.js';
import type { RuleCatalog } from '../../rules/rule-catalog.js';
import { ApiProblem } from '../problems.js';

export interface DecisionContext {
  principal: Principal;
  requestId: string;
  nowMs: number;
  newId: () => string;
}

export interface FlagDecision {
  flag: WalletFlag;
  record: AuditRecord;
}

/** How long an approved false positive silences its wallet: the catalog's silence, capped. */
export function silenceMs(catalog: RuleCatalog, maxSilenceMs: number): number {
  return Math.min(catalog.alerting.falsePositiveSilenceMs, maxSilenceMs);
}

/**
 * A new flag. A false positive on every rule waits for a second principal (`flag.requested`);
 * everything else is in force at once (`flag.recorded`). A false positive always expires.
 */
export function requestFlag(
  walletId: string,
  request: WalletFlagRequest,
  catalog: RuleCatalog,
  maxSilenceMs: number,
  ctx: DecisionContext,
): FlagDecision {
  const ruleId = request.ruleId ?? null;
  if (ruleId !== null && !catalog.rules.some((rule) => rule.id === ruleId)) {
    const known = catalog.rules.map((rule) => rule.id).join(', ');
    throw new ApiProblem('FG_UNKNOWN_RULE', `rule ${ruleId} is not in the current catalog (${known})`);
  }
  const needsApproval = request.kind === 'false-positive' && ruleId === null;
  const now = new Date(ctx.nowMs).toISOString();
  const flag: WalletFlag = {
    flagId: ctx.newId(),
    walletId,
    kind: request.kind,
    ruleId,
    reason: request.reason,
    status: needsApproval ? 'pending-approval' : 'active',
    createdBy: ctx.principal.id,
    createdAt: now,
    expiresAt:
      request.kind === 'false-positive' && !needsApproval
        ? new Date(ctx.nowMs + silenceMs(catalog, maxSilenceMs)).toISOString()
        : null,
  };
  return {
    flag,
    record: auditRecord(needsApproval ? 'flag.requested' : 'flag.recorded', null, flag, request.reason, ctx),
  };
}

/** A second principal lets a pending request take effect; its silence runs from now. */
export function approveFlag(
  current: WalletFlag,
  reason: string | undefined,
  catalog: RuleCatalog,
  maxSilenceMs: number,
  ctx: DecisionContext,
): FlagDecision {
  checkReviewable(current, ctx);
  const flag: WalletFlag = {
    ...current,
    status: 'active',
    approvedBy: ctx.principal.id,
    approvedAt: new Date(ctx.nowMs).toISOString(),
    expiresAt: new Date(ctx.nowMs + silenceMs(catalog, maxSilenceMs)).toISOString(),
  };
  return { flag, record: auditRecord('flag.approved', current, flag, reason, ctx) };
}

export function rejectFlag(current: WalletFlag, reason: string, ctx: DecisionContext): FlagDecision {
  checkReviewable(current, ctx);
  const flag: WalletFlag = { ...current, status: 'rejected' };
  return { flag, record: auditRecord('flag.rejected', current, flag, reason, ctx) };
}

/** Withdraws a flag in force or a request still waiting; rejected and revoked flags stay as they are. */
export function revokeFlag(current: WalletFlag, reason: string, ctx: DecisionContext): FlagDecision {
  if (current.status !== 'active' && current.status !== 'pending-approval')
    throw new ApiProblem(
      'FG_FLAG_STATE',
      `flag ${current.flagId} is ${current.status}; only an active or pending flag can be revoked`,
    );
  const flag: WalletFlag = {
    ...current,
    status: 'revoked',
    revokedBy: ctx.principal.id,
    revokedAt: new Date(ctx.nowMs).toISOString(),
  };
  return { flag, record: auditRecord('flag.revoked', current, flag, reason, ctx) };
}

/** Whether a flag holds at `nowMs` (an active false positive stops holding when it expires). */
export function flagInForce(flag: WalletFlag, nowMs: number): boolean {
  return flag.status === 'active' && (flag.expiresAt === null || Date.parse(flag.expiresAt) > nowMs);
}

/** Order of a flag's audit actions: an index keeps the furthest one, whatever order they arrive in. */
export function flagActionRank(action: AuditAction): number {
  switch (action) {
    case 'flag.recorded':
    case 'flag.requested':
      return 1;
    case 'flag.approved':
    case 'flag.rejected':
      return 2;
    case 'flag.revoked':
      return 3;
    default:
      return 0;
  }
}

function checkReviewable(current: WalletFlag, ctx: DecisionContext): void {
  if (current.status !== 'pending-approval')
    throw new ApiProblem(
      'FG_FLAG_STATE',
      `flag ${current.flagId} is ${current.status}, not pending-approval`,
    );
  if (current.createdBy === ctx.principal.id)
    throw new ApiProblem(
      'FG_SELF_APPROVAL',
      `flag ${current.flagId} was requested by ${ctx.principal.id}; another principal with flags:approve must review it`,
    );
}

function auditRecord(
  action: AuditAction,
  before: WalletFlag | null,
  after: WalletFlag,
  reason: string | undefined,
  ctx: DecisionContext,
): AuditRecord {
  return {
    schemaVersion: 1,
    auditId: ctx.newId(),
    action,
    at: new Date(ctx.nowMs).toISOString(),
    principal: ctx.principal,
    requestId: ctx.requestId,
    walletId: after.walletId,
    ...(reason !== undefined ? { reason } : {}),
    flag: after,
    before,
    after,
  };
}
