// One chunk of the input topic, straight through: decode → load → apply and detect, event by event
// in offset order → (the caller writes and publishes). Everything between the load and the write is
// in memory, so the rules, the score and the decisions cost no round trip.
import type { AuditRecord } from '../../../../schemas/audit-record.js';
import { buildAlert } from '../alerts/alert-builder.js';
import {
  isDonationLike,
  walletSidesOf,
  type NormalizedEvent,
  type WalletSide,
} from '../domain/transaction.js';
import { isFlowGuardError, type ErrorCode } from '../errors.js';
import type { ChunkContext, SourceRecord } from '../kafka/consumer-runtime.js';
import { knownAgeMs } from '../rules/cold-start.js';
import { evaluateRules } from '../rules/evaluate-rules.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';
import type { Finding, RuleInput } from '../rules/rule-types.js';
import { decideAlert, type DecisionPolicy } from '../scoring/alert-decision.js';
import { applySide, checkSide, recordSeen, rememberSample, type SideCheck } from '../state/apply-side.js';
import type { Gift } from '../state/donor-index.js';
import {
  sampleEventIds,
  type EffectSource,
  type PendingSeed,
  type WalletState,
} from '../state/wallet-state.js';
import { ChunkOutput } from './chunk-output.js';
import { markChanged, markJournaled, type ChunkWallet, type ChunkWallets } from './chunk-wallets.js';
import { decodeRecord } from './decode-record.js';
import { DonorOverlay } from './donor-overlay.js';
import { reconcilePending } from './pending-effects.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { keptRaisedOn, linkDonorsAndSearch } from './retro-search.js';
import {
  addOverlap,
  alertSeeds,
  donorWeight,
  linksBySpread,
  seedingPolicyOf,
  type SeedingPolicy,
} from './seeding.js';

/** Donor links and unlinks a chunk writes after its wallets. */
export interface SeedWrite {
  walletId: string;
  flaggedAtMs: number;
  donors: { payer: string; weight: number }[];
  unlink: boolean;
}

/** Everything one chunk changed, ready for the write and the transaction. */
export interface ChunkWork {
  wallets: ChunkWallets;
  output: ChunkOutput;
  gifts: Gift[];
  seeds: SeedWrite[];
  /** Pending items published or dropped by this chunk: cleared after the commit. */
  settle: Map<string, { alertIds: Set<string>; seedOffsets: Set<string> }>;
  lastOffset: number;
}

/**
 * One record of a chunk, decoded: its event, or why it is refused. A decoded event may be refused later
 * by the run that finds its eventId applied with another body; every later run refuses it again.
 */
interface DecodedRecord {
  record: SourceRecord;
  event: NormalizedEvent | null;
  refusal: { code: ErrorCode; reason: string } | null;
}
type DecodedEvent = DecodedRecord & { event: NormalizedEvent };

/** An audit record a run published (the wallet whose decision it records is its walletId). */
interface RunAudit {
  record: AuditRecord;
  sourceOffset: number;
}

/**
 * What the runs of one chunk share. A chunk runs again when its compare-and-set lost on some wallets
 * (another instance wrote them), and only the last run's output is published. The wallets the run
 * before stored hold all of the chunk's events, so a run again applies only the events of the lost
 * wallets (eventsOfLostWallets) and loads, besides, the stored wallets whose pending alerts and seeds
 * it has to publish (reconcilePending does, from their records). What a run decided that no wallet
 * record carries is kept here for the next:
 * - the decoded records: decoding is pure, and with two instances most chunks run twice (decoding
 *   again was a third of the detector's extra time, and its garbage lived long enough to be promoted);
 *   and with them the refusals of records whose eventId was re-used with another body: refused again,
 *   never taken for redeliveries on the wallet that refused them and applied to the other;
 * - the audit records of silenced alerts, by wallet: a stored wallet decides nothing again, so they
 *   are carried over, except those of the wallets whose write lost (those decide again);
 * - the wallets whose write lost, and those with pending alerts or seeds.
 */
export interface ChunkMemo {
  decoded?: DecodedRecord[];
  audits: RunAudit[];
  /** The wallets whose compare-and-set lost in the last run: a run again applies only their events. */
  lost: ReadonlySet<string>;
  /** The wallets with pending alerts or seeds the last run published (its settle list). */
  settled: ReadonlySet<string>;
}

export function chunkMemo(): ChunkMemo {
  return { audits: [], lost: new Set(), settled: new Set() };
}

/** The chunk's in-memory machinery, shared by the transaction and decision handlers. */
export class ChunkSession {
  readonly output: ChunkOutput;
  readonly wallets: ChunkWallets;
  readonly gifts: Gift[] = [];
  readonly seeds: SeedWrite[] = [];
  readonly settle = new Map<string, { alertIds: Set<string>; seedOffsets: Set<string> }>();
  readonly catalog: RuleCatalog;
  readonly seeding: SeedingPolicy;
  readonly policy: DecisionPolicy;
  overlay = new DonorOverlay(new Map());
  streamStartMs = Number.POSITIVE_INFINITY;
  /** The audit records this run published (carried over from the last run, or decided in this one). */
  readonly audits: RunAudit[] = [];
  /** Wallet updates by outcome, counted into the metrics once per chunk (a labelled inc costs per call). */
  private readonly updates = new Map<string, number>();

  constructor(
    readonly deps: PipelineDeps,
    readonly ctx: ChunkContext,
    readonly records: SourceRecord[],
    wallets: ChunkWallets,
    readonly memo: ChunkMemo = chunkMemo(),
  ) {
    this.output = new ChunkOutput(deps.config, deps.now());
    this.wallets = wallets;
    this.catalog = deps.catalog();
    this.seeding = seedingPolicyOf(this.catalog);
    this.policy = {
      cooldownMs: this.catalog.alerting.cooldownMs,
      halfLifeMs: this.catalog.scoring.halfLifeMs,
      levels: this.catalog.scoring.levels,
    };
  }

  get firstOffset(): number {
    return Number(this.records[0]!.offset);
  }

  get lastOffset(): number {
    return Number(this.records[this.records.length - 1]!.offset);
  }

  /** True for records the committed transactions already published (a replay after Redis lost writes). */
  alreadyPublished(offset: number): boolean {
    return this.ctx.committedOffset !== null && BigInt(offset) < this.ctx.committedOffset;
  }

  sourceOf(record: SourceRecord): EffectSource {
    return {
      streamKey: this.ctx.streamKey,
      topic: record.topic,
      partition: record.partition,
      offset: Number(record.offset),
    };
  }

  countUpdate(status: string): void {
    this.updates.set(status, (this.updates.get(status) ?? 0) + 1);
  }

  flushCounts(): void {
    for (const [status, n] of this.updates) this.deps.metrics.walletUpdates.inc({ status }, n);
    this.updates.clear();
  }

  /** Publishes an audit record, and remembers it for a run again (ChunkMemo). */
  audit(record: AuditRecord, sourceOffset: number): void {
    this.output.audit(record, sourceOffset);
    this.audits.push({ record, sourceOffset });
  }

  /** The wallet changed in a way only a whole record carries. */
  touch(wallet: ChunkWallet): void {
    markChanged(wallet);
  }

  markSettled(walletId: string, kind: 'alert' | 'seed', id: string): void {
    const entry = this.settle.get(walletId) ?? {
      alertIds: new Set<string>(),
      seedOffsets: new Set<string>(),
    };
    if (kind === 'alert') entry.alertIds.add(id);
    else entry.seedOffsets.add(id);
    this.settle.set(walletId, entry);
  }

  work(): ChunkWork {
    return {
      wallets: this.wallets,
      output: this.output,
      gifts: this.gifts,
      seeds: this.seeds,
      settle: this.settle,
      lastOffset: this.lastOffset,
    };
  }

  ruleInput(wallet: ChunkWallet, side: WalletSide | null, atMs: number): RuleInput {
    return {
      wallet: wallet.view,
      side,
      atMs,
      featureConfig: this.deps.config.features,
      streamStartMs: this.streamStartMs,
    };
  }

  /**
   * Decides on findings and records the outcome in the wallet: an alert (pending in the record until
   * its transaction commits), a suppression (audit), and the seeding of donors when the evidence is
   * strong and campaign-shaped.
   */
  async decide(
    wallet: ChunkWallet,
    findings: Finding[],
    trigger: { id: string; atMs: number; source: EffectSource; sampleEventIds: string[] },
  ): Promise<void> {
    if (!findings.length || this.deps.alerts === 'hold') return;
    const state = wallet.state;
    const decision = decideAlert(
      state.alerting,
      state.analyst.flags,
      findings,
      trigger.atMs,
      this.deps.now(),
      this.policy,
    );
    if (decision.kind === 'none') {
      this.touch(wallet);
      return;
    }
    this.touch(wallet);
    const replay = this.alreadyPublished(trigger.source.offset);
    if (decision.kind === 'suppressed') {
      if (!replay) this.audit(this.suppressionRecord(state, decision, trigger), trigger.source.offset);
      return;
    }
    const alert = buildAlert({
      walletId: state.walletId,
      triggerId: trigger.id,
      eventTimeMs: trigger.atMs,
      ageMs: knownAgeMs(this.ruleInput(wallet, null, trigger.atMs)),
      findings,
      decision,
      sampleEventIds: trigger.sampleEventIds,
      detectedAtMs: this.deps.now(),
      base: this.deps.config.features.base,
      origin: this.deps.origin,
    });
    state.alerting.lastAlertId = alert.alertId;
    if (decision.rules.some((r) => this.catalog.rules.find((x) => x.id === r)?.kind === 'watchlist')) {
      state.watch.alertedAtMs = trigger.atMs;
    }
    if (!replay) {
      const json = JSON.stringify(alert);
      state.pending.alerts.push({ alertId: alert.alertId, json, source: trigger.source });
      this.output.alert({ alertId: alert.alertId, walletId: state.walletId, json }, trigger.source.offset);
      this.markSettled(state.walletId, 'alert', alert.alertId);
    }
    const seedingFindings = findings.filter((f) => decision.rules.includes(f.ruleId));
    if (state.replacement.flaggedAtMs === null && alertSeeds(seedingFindings, wallet.view, this.seeding)) {
      await this.seed(wallet, trigger.source, trigger.atMs, 'alert');
    }
  }

  /** The wallet's payers become donors: for the rest of this chunk at once, in Redis at the write. */
  async seed(
    wallet: ChunkWallet,
    source: EffectSource,
    flaggedAtMs: number,
    reason: 'alert' | 'analyst',
  ): Promise<void> {
    const state = wallet.state;
    state.replacement.flaggedAtMs = flaggedAtMs;
    const pending: PendingSeed = { source, flaggedAtMs, reason, raisedOn: [] };
    if (!this.alreadyPublished(source.offset)) {
      state.pending.seeds.push(pending);
      this.markSettled(state.walletId, 'seed', String(source.offset));
    }
    this.touch(wallet);
    this.deps.metrics.seededWallets.inc({ reason });
    pending.raisedOn = keptRaisedOn(await linkDonorsAndSearch(this, state, flaggedAtMs, source));
  }

  private suppressionRecord(
    state: WalletState,
    decision: { rules: string[]; flagIds: string[] },
    trigger: { id: string; atMs: number },
  ): AuditRecord {
    return {
      schemaVersion: 1,
      auditId: `sup-${state.walletId}-${trigger.id}`.slice(0, 64),
      action: 'alert.suppressed',
      at: new Date(this.deps.now()).toISOString(),
      principal: { id: 'flowguard-detector', kind: 'system' },
      walletId: state.walletId,
      suppressed: { alertId: trigger.id, rules: decision.rules, flagId: decision.flagIds[0] ?? null },
      reason: `rules ${decision.rules.join(', ')} fired at ${new Date(trigger.atMs).toISOString()} and are silenced by analyst flag(s) ${decision.flagIds.join(', ')}`,
    };
  }
}

/** Decodes every record of the chunk, counting what it consumed and refused (once a chunk, not a run). */
function decodeChunk(deps: PipelineDeps, ctx: ChunkContext, records: SourceRecord[]): DecodedRecord[] {
  const { config, metrics } = deps;
  const decodeOptions = {
    ingest: config.ingest,
    features: config.features,
    converter: deps.converter,
    nowMs: deps.now(),
  };
  const decoded: DecodedRecord[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const source = {
      topic: record.topic,
      partition: record.partition,
      offset: Number(record.offset),
      timestampMs: record.timestampMs,
      streamKey: ctx.streamKey,
    };
    const result = decodeRecord({ value: record.value, source }, decodeOptions);
    if (result.ok) {
      if (result.ignoredOpeningTimes) metrics.openingTimesIgnored.inc(result.ignoredOpeningTimes);
      decoded[i] = { record, event: result.event, refusal: null };
    } else {
      metrics.deadLettered.inc({ code: result.code });
      decoded[i] = { record, event: null, refusal: { code: result.code, reason: result.reason } };
    }
  }
  metrics.eventsConsumed.inc(records.length);
  return decoded;
}

/** Decode, load, apply and detect one chunk of transactions. */
export async function runTransactionChunk(
  deps: PipelineDeps,
  ctx: ChunkContext,
  records: SourceRecord[],
  wallets: ChunkWallets,
  memo: ChunkMemo = chunkMemo(),
): Promise<ChunkWork> {
  const session = new ChunkSession(deps, ctx, records, wallets, memo);
  for (const a of memo.audits) if (!memo.lost.has(a.record.walletId)) session.audit(a.record, a.sourceOffset);

  // 1. decode (once a chunk), and refuse what does not decode or an earlier run refused
  const decoded = (memo.decoded ??= decodeChunk(deps, ctx, records));
  for (const { record, refusal } of decoded) {
    if (refusal && !session.alreadyPublished(Number(record.offset))) {
      session.output.deadLetter(record, refusal.code, refusal.reason);
    }
  }
  const events = decoded.filter((d): d is DecodedEvent => d.event !== null);
  session.streamStartMs = await deps.streams.streamStart(() => firstOfEachId(events));
  // The first run (nothing lost yet) applies every event: no event has been refused by a run before it.
  const toApply = memo.lost.size ? eventsOfLostWallets(events, memo.lost) : events;

  // 2. load: every touched wallet, and the donor links of every payer that may have given to a flagged wallet
  const walletIds = new Set<string>();
  // A run again also loads the stored wallets whose effects (pending alerts and seeds) this chunk
  // still has to publish: reconcilePending publishes them again, as the first run did.
  for (const id of memo.settled) if (!memo.lost.has(id)) walletIds.add(id);
  const payers = new Set<string>();
  let earliest = Number.POSITIVE_INFINITY;
  for (const { event } of toApply) {
    if (event.toWalletId !== undefined) walletIds.add(event.toWalletId);
    if (event.fromWalletId !== undefined) walletIds.add(event.fromWalletId);
    if (event.toWalletId !== undefined && isDonationLike(event.type)) payers.add(event.from);
    earliest = Math.min(earliest, event.occurredAtMs);
  }
  const [, links] = await Promise.all([
    session.wallets.load(walletIds),
    deps.donors.lookup(payers, earliest - session.catalog.alerting.donorMemoryMs),
  ]);
  session.overlay = new DonorOverlay(await linksBySpread(deps.donors, links, session.seeding));
  await reconcilePending(session);

  // 3. apply and detect, event by event in offset order
  for (const d of toApply) {
    const deciding = applyEvent(session, d);
    if (deciding) await deciding;
  }
  session.flushCounts();
  memo.audits = session.audits;
  memo.settled = new Set(session.settle.keys());
  return session.work();
}

/**
 * What a run again applies: the events of the wallets whose write lost (not those refused before).
 * Every other wallet stored all of its events, so a full run would find each of them a redelivery
 * there and change nothing; sparing them spares loading, probing and checking the whole chunk again
 * for a few hundred wallets.
 */
function eventsOfLostWallets(events: DecodedEvent[], lost: ReadonlySet<string>): DecodedEvent[] {
  return events.filter(
    ({ event, refusal }) =>
      !refusal &&
      ((event.toWalletId !== undefined && lost.has(event.toWalletId)) ||
        (event.fromWalletId !== undefined && lost.has(event.fromWalletId))),
  );
}

/**
 * The event times the stream's start may be estimated from: a later record re-using an eventId of the
 * chunk is a resend (a duplicate, or a conflict that is set aside) and is never applied, so it must
 * not move the start either.
 */
function firstOfEachId(events: { event: NormalizedEvent }[]): number[] {
  const ids = new Set<number>();
  const times: number[] = [];
  for (const { event } of events) {
    if (ids.has(event.idHash)) continue;
    ids.add(event.idHash);
    times.push(event.occurredAtMs);
  }
  return times;
}

/**
 * Applies both sides of one event. Synchronous unless a side's rules found something: then the
 * decision (which may seed donors and search) is awaited before the next side, and the promise is
 * returned. Most events find nothing, and cost no promise and no turn of the microtask queue.
 */
function applyEvent(session: ChunkSession, decoded: DecodedEvent): Promise<void> | undefined {
  const { metrics } = session.deps;
  const { record, event } = decoded;
  const sides = walletSidesOf(event);
  // Sized up front: a push onto [] reserves room for 17 elements, per event.
  const wallets = new Array<ChunkWallet>(sides.length);
  const checks = new Array<SideCheck>(sides.length);
  for (let i = 0; i < sides.length; i++) {
    const wallet = session.wallets.get(sides[i]!.walletId);
    wallets[i] = wallet;
    checks[i] = checkSide(wallet.state, sides[i]!);
  }
  if (session.memo.lost.size) keepWholeOnRunAgain(session, event.eventId, wallets, checks);
  const conflict = checks.indexOf('conflict');
  if (conflict >= 0) {
    // The same eventId with another body: neither side is applied, the record is set aside.
    session.countUpdate('conflict');
    metrics.deadLettered.inc({ code: 'FG_EVENT_ID_CONFLICT' });
    // Kept with the decoded record: a run again refuses it at once (ChunkMemo).
    decoded.refusal = {
      code: 'FG_EVENT_ID_CONFLICT',
      reason: `eventId ${event.eventId} was already applied to wallet ${sides[conflict]!.walletId} with a different body (type, time, amount or parties)`,
    };
    if (!session.alreadyPublished(event.source.offset)) {
      session.output.deadLetter(record, decoded.refusal.code, decoded.refusal.reason);
    }
    return undefined;
  }
  return applySidesFrom(session, record, sides, wallets, checks, 0);
}

/**
 * A run again applies an event only for its lost wallets; its other wallets stored it in the run
 * before. If another writer has since put the same eventId with another body into a lost wallet,
 * refusing the event there would leave it applied to one wallet and dead-lettered as applied to
 * none. It goes to the lost wallet too: an event is applied to all its wallets or to none (the ring
 * of eventIds is per wallet, and so is what it catches: docs/faults.md, "Known bound").
 */
function keepWholeOnRunAgain(
  session: ChunkSession,
  eventId: string,
  wallets: ChunkWallet[],
  checks: SideCheck[],
): void {
  const lost = session.memo.lost;
  // Held: a wallet that kept its write holds this event (its watermark or ring says so).
  if (!wallets.some((w, j) => !lost.has(w.state.walletId) && checks[j] === 'duplicate')) return;
  for (let i = 0; i < checks.length; i++) {
    if (checks[i] === 'conflict' && lost.has(wallets[i]!.state.walletId)) {
      checks[i] = 'new';
      session.deps.metrics.eventIdReuseApplied.inc();
      session.deps.logger.warn(
        { walletId: wallets[i]!.state.walletId, eventId },
        'another writer put this eventId with another body into a wallet whose write lost; applied there too, as in the event’s other wallet',
      );
    }
  }
}

/** Applies an event's sides from `first` on (`wallets` and `checks` are index for index with `sides`). */
function applySidesFrom(
  session: ChunkSession,
  record: SourceRecord,
  sides: WalletSide[],
  wallets: ChunkWallet[],
  checks: SideCheck[],
  first: number,
): Promise<void> | undefined {
  for (let i = first; i < sides.length; i++) {
    const findings = applyOneSide(session, sides[i]!, wallets[i]!, checks[i]!);
    if (findings) return decideThenApplyFrom(session, record, sides, wallets, checks, i, findings);
  }
  return undefined;
}

async function decideThenApplyFrom(
  session: ChunkSession,
  record: SourceRecord,
  sides: WalletSide[],
  wallets: ChunkWallet[],
  checks: SideCheck[],
  index: number,
  findings: Finding[],
): Promise<void> {
  const side = sides[index]!;
  const wallet = wallets[index]!;
  try {
    await session.decide(wallet, findings, {
      id: side.event.eventId,
      atMs: side.event.occurredAtMs,
      source: session.sourceOf(record),
      sampleEventIds: sampleEventIds(wallet.state),
    });
  } catch (error) {
    throw withWallet(error, side.walletId);
  }
  await applySidesFrom(session, record, sides, wallets, checks, index + 1);
}

/** Applies one side; returns what its rules found, or null when nothing is to be decided. */
function applyOneSide(
  session: ChunkSession,
  side: WalletSide,
  wallet: ChunkWallet,
  check: SideCheck,
): Finding[] | null {
  const event = side.event;
  if (check === 'duplicate') {
    session.countUpdate('duplicate');
    // A redelivery below the watermark (a chunk run again after a conflict) leaves the record as is.
    if (recordSeen(wallet.state, event.source)) {
      markJournaled(wallet, {
        kind: 'seen',
        streamKey: event.source.streamKey,
        offset: event.source.offset,
      });
    }
    return null;
  }
  const { deps } = session;
  const result = applySide(wallet.state, side, deps.config.features);
  rememberSample(wallet.state, event.eventId, event.occurredAtMs);
  markJournaled(wallet, { kind: 'applied', side });
  session.countUpdate(result.status);
  if (side.direction === 'in' && isDonationLike(event.type)) {
    session.gifts.push({ payer: side.counterparty, walletId: side.walletId, atMs: event.occurredAtMs });
    if (result.newCounterparty) linkNewPayer(session, side, wallet);
  }
  if (result.status !== 'applied') return null;
  try {
    const findings = evaluateRules(session.catalog, session.ruleInput(wallet, side, event.occurredAtMs));
    // Most events find nothing: no decision, and no trigger to build for one.
    return findings.length ? findings : null;
  } catch (error) {
    throw withWallet(error, side.walletId);
  }
}

/** A payer new to the wallet: its gifts to flagged wallets become overlap, and if this wallet is flagged, it becomes a donor. */
function linkNewPayer(session: ChunkSession, side: WalletSide, wallet: ChunkWallet): void {
  const atMs = side.event.occurredAtMs;
  for (const link of session.overlay.linksOf(
    side.counterparty,
    atMs - session.catalog.alerting.donorMemoryMs,
  )) {
    // A gift made long before the other wallet was flagged is no sign of a replacement (the
    // retro search applies the same bound, so the order the two are read in does not matter).
    if (link.walletId === side.walletId) continue;
    if (link.flaggedAtMs - atMs > session.seeding.overlapLeadMs) continue;
    addOverlap(wallet.state, link.walletId, link.flaggedAtMs, side.counterparty, link.weight);
    session.touch(wallet);
  }
  // Payers who keep giving to a flagged wallet are donors too.
  const flaggedAt = wallet.state.replacement.flaggedAtMs;
  if (flaggedAt !== null) {
    const weight = donorWeight(wallet.state, session.seeding, wallet.state.payers.size);
    session.overlay.link(side.counterparty, {
      walletId: side.walletId,
      flaggedAtMs: flaggedAt,
      weight,
    });
    session.seeds.push({
      walletId: side.walletId,
      flaggedAtMs: flaggedAt,
      donors: [{ payer: side.counterparty, weight }],
      unlink: false,
    });
  }
}

/**
 * A bug in a rule must not take the partition down with it: the error carries the wallet, and the
 * runtime isolates the record. FlowGuard's own errors pass as they are.
 */
function withWallet(error: unknown, walletId: string): unknown {
  if (isFlowGuardError(error)) return error;
  return Object.assign(error instanceof Error ? error : new Error(String(error)), { walletId });
}
