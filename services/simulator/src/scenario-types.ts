// What every scenario generator promises: the typology labels, the two deployment modes, the options,
// and the timeline (warm-up, labelled period, the part where the suspicious typologies happen).
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import type { WalletMention } from '../../../schemas/wallet-mention.js';
import { FlowGuardError } from '../../detector/src/errors.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * The last UTC midnight at or before `nowMs`: where a generated stream ends when it must be the same
 * all day. The generators shape traffic by hour of day and weekday, and the detector buckets by
 * 5 minutes and hours, so a stream ending "now" differs from run to run.
 */
export function lastUtcMidnight(nowMs = Date.now()): number {
  return Math.floor(nowMs / DAY) * DAY;
}

export const SUSPICIOUS_TYPOLOGIES = [
  'crowdfunding',
  'replacement-wallet',
  'slow-campaign',
  'pass-through',
  'structuring',
  'fan-out',
  'watchlisted',
  'layering',
] as const;
/** Innocent look-alikes: traffic a careless rule would take for one of the typologies. */
export const INNOCENT_TYPOLOGIES = [
  'merchant',
  'new-merchant',
  'birthday',
  'gift-collection',
  'new-user',
  'payroll',
  'savings',
  'cascade-trap',
] as const;
export type SuspiciousTypology = (typeof SUSPICIOUS_TYPOLOGIES)[number];
export type InnocentTypology = (typeof INNOCENT_TYPOLOGIES)[number];
export type Typology = SuspiciousTypology | InnocentTypology;

export function isInnocentTypology(typology: string): typology is InnocentTypology {
  return (INNOCENT_TYPOLOGIES as readonly string[]).includes(typology);
}

/**
 * warm: FlowGuard has run through `warmUpDays` of history before the labelled days.
 * fresh: the stream starts when FlowGuard starts; the suspicious typologies happen on its second day,
 * and wallets that existed before carry the opening times the processor sends.
 */
export const SCENARIO_MODES = ['warm', 'fresh'] as const;
export type ScenarioMode = (typeof SCENARIO_MODES)[number];

/** main: scenario.ts; alt: scenario-alt.ts, shaped independently (ids, amounts, rhythms, bursts). */
export const GENERATORS = ['main', 'alt'] as const;
export type GeneratorName = (typeof GENERATORS)[number];

export interface Label {
  walletId: string;
  typology: Typology;
  innocent?: true;
  firstEventAt: string;
  lastEventAt: string;
  /** The typology's events into or out of the wallet, in time order. */
  eventIds: string[];
  /** The campaign a replacement replaces; the wallet a cascade trap shares payers with; a mover's 2nd wallet. */
  relatedWalletId?: string;
  /** The opening time the processor knows, when it sends one. */
  openedAt?: string;
  /** What part the wallet plays, where the typology has several (e.g. "neighbour merchant"). */
  role?: string;
}

export interface Scenario {
  generator: GeneratorName;
  mode: ScenarioMode;
  events: TransactionEventInput[];
  labels: Label[];
  /** Public fundraising posts naming wallets, for the mentions topic, in seenAt order. */
  mentions: WalletMention[];
  /** First instant of the stream: FlowGuard starts here in the fresh mode. */
  streamStartMs: number;
  /** Start and end of the labelled period (epoch ms). */
  labelledFromMs: number;
  labelledToMs: number;
  /** The suspicious typologies happen at or after this instant. */
  suspiciousFromMs: number;
  ordinaryWallets: number;
}

/** How many of each typology; `cascade-trap` counts neighbourhoods (each labels several wallets). */
export type TypologyCounts = Record<Typology, number>;

export interface ScenarioOptions {
  seed: number;
  mode: ScenarioMode;
  /** Start of the stream; by default the stream ends now. */
  start?: Date;
  warmUpDays: number;
  days: number;
  ordinaryWallets: number;
  counts: TypologyCounts;
  /** Share of events sent twice with the same eventId. */
  duplicateShare: number;
  /** Share of events delivered a few minutes late. */
  reorderShare: number;
}

export const DEFAULT_COUNTS: TypologyCounts = {
  crowdfunding: 3,
  'replacement-wallet': 2,
  'slow-campaign': 2,
  'pass-through': 3,
  structuring: 2,
  'fan-out': 2,
  watchlisted: 2,
  layering: 2,
  merchant: 5,
  'new-merchant': 3,
  birthday: 4,
  'gift-collection': 3,
  'new-user': 12,
  payroll: 2,
  savings: 20,
  'cascade-trap': 1,
};

/** Two weeks of history in the warm mode: the cold-start guards of the detector have expired by then. */
export const WARM_UP_DAYS = 14;

export function defaultScenarioOptions(mode: ScenarioMode = 'warm'): ScenarioOptions {
  return {
    seed: 42,
    mode,
    warmUpDays: mode === 'warm' ? WARM_UP_DAYS : 0,
    days: 2,
    ordinaryWallets: 3000,
    counts: { ...DEFAULT_COUNTS },
    duplicateShare: 0,
    reorderShare: 0,
  };
}

export type ScenarioOverrides = Partial<Omit<ScenarioOptions, 'counts'>> & {
  counts?: Partial<TypologyCounts>;
};

/** The mode's defaults under the overrides; a fresh scenario has no warm-up by definition. */
export function resolveScenarioOptions(overrides: ScenarioOverrides = {}): ScenarioOptions {
  const mode = overrides.mode ?? 'warm';
  const base = defaultScenarioOptions(mode);
  const options: ScenarioOptions = {
    ...base,
    ...definedOnly(overrides),
    mode,
    counts: { ...base.counts, ...overrides.counts },
  };
  const invalid = (message: string) => new FlowGuardError('FG_CONFIG_INVALID', `scenario: ${message}`);
  if (mode === 'fresh' && options.warmUpDays !== 0)
    throw invalid('a fresh scenario starts with FlowGuard: it has no warm-up days');
  if (options.days < 1) throw invalid('at least one labelled day');
  if (mode === 'fresh' && options.days < 2)
    throw invalid('a fresh scenario needs two days: ordinary traffic first, the typologies on the second');
  if (options.counts['replacement-wallet'] > options.counts.crowdfunding)
    throw invalid('every replacement needs a campaign to replace');
  return options;
}

export interface Timeline {
  startMs: number;
  labelledFromMs: number;
  suspiciousFromMs: number;
  endMs: number;
}

export function timelineOf(options: ScenarioOptions, nowMs = Date.now()): Timeline {
  const spanMs = (options.warmUpDays + options.days) * DAY;
  const startMs = options.start ? options.start.getTime() : nowMs - spanMs;
  const labelledFromMs = startMs + options.warmUpDays * DAY;
  // In the fresh mode FlowGuard gets one day of ordinary traffic before the typologies start.
  const suspiciousFromMs = options.mode === 'fresh' ? startMs + DAY : labelledFromMs;
  return { startMs, labelledFromMs, suspiciousFromMs, endMs: startMs + spanMs };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
