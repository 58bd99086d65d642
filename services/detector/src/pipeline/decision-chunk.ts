// Analyst decisions (flowguard.audit) and public mentions (intel.wallet-mentions) applied to the
// wallets they are about, with the same machinery as events: watermarks, compare-and-set, one
// transaction. So a decision takes effect exactly once, and a replay of the topics rebuilds it.
import { AuditRecordSchema, type AuditRecord } from '../../../../schemas/audit-record.js';
import { WalletMentionSchema, type WalletMention } from '../../../../schemas/wallet-mention.js';
import type { ChunkContext, SourceRecord } from '../kafka/consumer-runtime.js';
import { evaluateRules } from '../rules/evaluate-rules.js';
import { recordSeen } from '../state/apply-side.js';
import {
  hasNoEvents,
  sampleEventIds,
  type ActiveFlag,
  type EffectSource,
  type WalletState,
} from '../state/wallet-state.js';
import type { ChunkWallet, ChunkWallets } from './chunk-wallets.js';
import { DonorOverlay } from './donor-overlay.js';
import { nestsDeeperThan } from './json-depth.js';
import { reconcilePending } from './pending-effects.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { forgetOverlaps } from './seeding.js';
import { ChunkSession, type ChunkWork } from './transaction-chunk.js';

const WATCHLIST: ReadonlySet<string> = new Set(['watchlist']);

type Decision = { kind: 'audit'; record: AuditRecord } | { kind: 'mention'; mention: WalletMention };

function parse(record: SourceRecord, isMention: boolean, maxBytes: number, maxDepth: number) {
  const value = record.value;
  if (!value || value.length === 0) return { error: 'message has no value' };
  if (value.length > maxBytes)
    return { error: `message is ${value.length} bytes; at most ${maxBytes} are read` };
  if (nestsDeeperThan(value, maxDepth)) return { error: `JSON nests deeper than ${maxDepth} levels` };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = isMention ? WalletMentionSchema.safeParse(json) : AuditRecordSchema.safeParse(json);
  if (!parsed.success) {
    return {
      error: parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; '),
    };
  }
  return isMention
    ? { decision: { kind: 'mention', mention: parsed.data as WalletMention } as Decision }
    : { decision: { kind: 'audit', record: parsed.data as AuditRecord } as Decision };
}

export async function runDecisionChunk(
  deps: PipelineDeps,
  ctx: ChunkContext,
  records: SourceRecord[],
  wallets: ChunkWallets,
): Promise<ChunkWork> {
  const session = new ChunkSession(deps, ctx, records, wallets);
  const { config } = deps;
  const isMention = ctx.topic === config.kafka.mentionsTopic;
  // Decisions nest a little deeper than events (a flag inside an audit record, before/after values).
  const maxDepth = config.ingest.maxJsonDepth + 4;
  const parsed = records.map((record) => ({
    record,
    ...parse(record, isMention, Math.max(config.ingest.maxEventBytes, 65_536), maxDepth),
  }));
  for (const p of parsed) {
    if ('error' in p && p.error !== undefined && !session.alreadyPublished(Number(p.record.offset))) {
      deps.metrics.deadLettered.inc({ code: 'FG_EVENT_INVALID' });
      session.output.deadLetter(p.record, 'FG_EVENT_INVALID', p.error);
    }
  }
  const decisions = parsed.filter(
    (p): p is typeof p & { decision: Decision } => 'decision' in p && !!p.decision,
  );
  const walletIds = decisions.map((d) =>
    d.decision.kind === 'mention' ? d.decision.mention.walletId : d.decision.record.walletId,
  );
  await session.wallets.load(walletIds);
  session.overlay = new DonorOverlay(new Map());
  session.streamStartMs = await deps.streams.streamStart(() => []);
  await reconcilePending(session);

  for (const { record, decision } of decisions) {
    const offset = Number(record.offset);
    const walletId = decision.kind === 'mention' ? decision.mention.walletId : decision.record.walletId;
    const wallet = session.wallets.get(walletId);
    if (!recordSeen(wallet.state, { streamKey: ctx.streamKey, offset })) continue;
    session.touch(wallet);
    const source = session.sourceOf(record);
    if (decision.kind === 'mention') {
      await applyMention(session, wallet.state, decision.mention, record.timestampMs);
      if (wallet.state.replacement.flaggedAtMs === null)
        await session.seed(wallet, source, flagTime(wallet.state, record), 'analyst');
      await judgeListing(session, wallet, decision.mention, source);
      deps.metrics.decisionsApplied.inc({ action: 'mention' });
      continue;
    }
    const audit = decision.record;
    deps.metrics.decisionsApplied.inc({ action: audit.action });
    switch (audit.action) {
      case 'flag.recorded':
      case 'flag.approved': {
        const flag = audit.flag;
        if (!flag || flag.status !== 'active') break;
        const active: ActiveFlag = {
          flagId: flag.flagId,
          kind: flag.kind,
          ruleId: flag.ruleId,
          createdAtMs: Date.parse(flag.createdAt),
          expiresAtMs: flag.expiresAt === null ? null : Date.parse(flag.expiresAt),
        };
        wallet.state.analyst.flags = [
          ...wallet.state.analyst.flags.filter((f) => f.flagId !== flag.flagId),
          active,
        ];
        if (
          (flag.kind === 'confirmed' || flag.kind === 'blocked') &&
          wallet.state.replacement.flaggedAtMs === null
        ) {
          await session.seed(wallet, source, flagTime(wallet.state, record), 'analyst');
        }
        break;
      }
      case 'flag.revoked': {
        const flagId = audit.flag?.flagId;
        const revoked = wallet.state.analyst.flags.find((f) => f.flagId === flagId);
        wallet.state.analyst.flags = wallet.state.analyst.flags.filter((f) => f.flagId !== flagId);
        if (revoked && revoked.kind !== 'false-positive') unseedUnlessStillFlagged(session, wallet.state);
        break;
      }
      case 'watchlist.removed':
        wallet.state.watch.entries = [];
        unseedUnlessStillFlagged(session, wallet.state);
        break;
      default:
        // flag.requested / flag.rejected change nothing until approved; alert.suppressed is our own.
        break;
    }
  }
  return session.work();
}

/**
 * The mentions topic and the payments topic advance independently: a payment made after the post may
 * have been applied before the mention was. The watchlist rule then fires now, on the mention.
 */
async function judgeListing(
  session: ChunkSession,
  wallet: ChunkWallet,
  mention: WalletMention,
  source: EffectSource,
): Promise<void> {
  const state = wallet.state;
  if (hasNoEvents(state)) return;
  const findings = evaluateRules(
    session.catalog,
    session.ruleInput(wallet, null, state.lastEventMs),
    WATCHLIST,
  );
  const paidAtMs = findings[0]?.window.toMs;
  if (paidAtMs === undefined) return;
  await session.decide(wallet, findings, {
    id: `mention:${mention.mentionId}`,
    atMs: paidAtMs,
    source,
    sampleEventIds: sampleEventIds(state),
  });
}

/** Donor memory runs in event time: a flag counts from the wallet's newest event, or the record's time. */
function flagTime(state: WalletState, record: SourceRecord): number {
  return Number.isNaN(state.lastEventMs) ? record.timestampMs : Math.max(state.lastEventMs, 0);
}

async function applyMention(
  session: ChunkSession,
  state: WalletState,
  mention: WalletMention,
  listedAtMs: number,
): Promise<void> {
  if (state.watch.entries.some((e) => e.mentionId === mention.mentionId)) return;
  const seenAtMs = Date.parse(mention.seenAt);
  const expiresAtMs = mention.expiresAt
    ? Date.parse(mention.expiresAt)
    : Math.max(seenAtMs, listedAtMs) + session.deps.config.pipeline.watchlistTtlMs;
  state.watch.entries.push({
    mentionId: mention.mentionId,
    source: mention.source,
    url: mention.url,
    seenAtMs,
    listedAtMs,
    expiresAtMs,
  });
}

/**
 * A revoked confirmed/blocked flag (or a removed listing) takes the wallet's donors back out of the
 * index — unless another reason still flags it (another analyst flag, a listing, or a seeding alert).
 */
function unseedUnlessStillFlagged(session: ChunkSession, state: WalletState): void {
  if (state.replacement.flaggedAtMs === null) return;
  const stillFlagged =
    state.analyst.flags.some((f) => f.kind === 'confirmed' || f.kind === 'blocked') ||
    state.watch.entries.length > 0 ||
    [...state.alerting.firings.entries()].some(
      ([ruleId, f]) => f.alertedRank > 0 && session.seeding.rules.has(ruleId),
    );
  if (stillFlagged) return;
  state.replacement.flaggedAtMs = null;
  session.overlay.unlinkWallet(state.walletId);
  session.seeds.push({
    walletId: state.walletId,
    flaggedAtMs: 0,
    donors: [...state.payers.keys()].map((payer) => ({ payer, weight: 0 })),
    unlink: true,
  });
  forgetOverlaps(state, (walletId) => walletId !== state.walletId);
}
