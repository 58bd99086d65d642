// The rules file (YAML or JSON): parsed and validated by zod, with errors that name the rule and field.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { SeveritySchema } from '../../../../schemas/alert.js';
import type { WindowSpec } from '../config/index.js';
import type { BaseCurrency } from '../domain/money.js';
import { FlowGuardError } from '../errors.js';
import { baselineBreakParams, baselineBreakRule } from './baseline-break-rule.js';
import { fanInParams, fanInRule } from './fan-in-rule.js';
import { fanOutParams, fanOutRule } from './fan-out-rule.js';
import { layeringParams, layeringRule } from './layering-rule.js';
import { passThroughParams, passThroughRule } from './pass-through-rule.js';
import { replacementWalletParams, replacementWalletRule } from './replacement-wallet-rule.js';
import { durationParam, type RuleBuildContext } from './rule-params.js';
import type { Rule } from './rule-types.js';
import { structuringParams, structuringRule } from './structuring-rule.js';
import { watchlistParams, watchlistRule } from './watchlist-rule.js';

/** Each rule kind: its parameter schema and how to build the rule from validated parameters. */
const KINDS = {
  'fan-in': { params: fanInParams, build: fanInRule },
  'baseline-break': { params: baselineBreakParams, build: baselineBreakRule },
  'replacement-wallet': { params: replacementWalletParams, build: replacementWalletRule },
  'pass-through': { params: passThroughParams, build: passThroughRule },
  structuring: { params: structuringParams, build: structuringRule },
  'fan-out': { params: fanOutParams, build: fanOutRule },
  layering: { params: layeringParams, build: layeringRule },
  watchlist: { params: watchlistParams, build: watchlistRule },
} as const;
type Kind = keyof typeof KINDS;

const RuleDefinitionSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be lower-case letters, digits and dashes'),
  kind: z.enum(Object.keys(KINDS) as [Kind, ...Kind[]]),
  description: z.string().min(1),
  enabled: z.boolean().default(true),
  severity: SeveritySchema,
  weight: z.number().min(0).max(100),
  params: z.record(z.string(), z.unknown()).default({}),
});

const RulesFileSchema = z.object({
  version: z.literal(1),
  scoring: z.object({
    halfLife: durationParam,
    levels: z.object({ medium: z.number(), high: z.number(), critical: z.number() }),
  }),
  alerting: z.object({
    cooldown: durationParam,
    /** How long the payers of a flagged wallet stay matchable for the replacement-wallet rule. */
    donorMemory: durationParam,
    falsePositiveSilence: durationParam,
    /** Rules whose alert makes the wallet "flagged" for the replacement-wallet rule. */
    seedsReplacementIndex: z.array(z.string()),
    /** When such an alert is strong enough to seed, and how much a large wallet's payers weigh. */
    seeding: z
      .object({
        window: z.string().default('24h'),
        minPayers: z.number().int().positive().default(25),
        minNewPayerShare: z.number().min(0).max(1).default(0.6),
        minOneOffShare: z.number().min(0).max(1).default(0.8),
        maxPurchaseShare: z.number().min(0).max(1).default(0.2),
        fullWeightPayers: z.number().int().positive().default(300),
        maxDonors: z.number().int().positive().max(5000).default(1000),
        personalSpread: z.number().int().positive().default(5),
        overlapLead: durationParam.prefault('3d'),
      })
      .prefault({}),
  }),
  rules: z.array(z.unknown()).min(1),
});

export interface RuleCatalog {
  rules: Rule[];
  scoring: { halfLifeMs: number; levels: { medium: number; high: number; critical: number } };
  alerting: {
    cooldownMs: number;
    donorMemoryMs: number;
    falsePositiveSilenceMs: number;
    seedsReplacementIndex: string[];
    seeding: {
      window: string;
      minPayers: number;
      minNewPayerShare: number;
      minOneOffShare: number;
      maxPurchaseShare: number;
      fullWeightPayers: number;
      maxDonors: number;
      personalSpread: number;
      overlapLead: { text: string; ms: number };
    };
  };
  /** Where it came from, for logs and /readyz. */
  source: string;
}

export function loadRuleCatalog(file: string, windows: WindowSpec[], base: BaseCurrency): RuleCatalog {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FlowGuardError('FG_RULES_INVALID', `rules file ${file} cannot be read`, { cause: error });
  }
  let data: unknown;
  try {
    data = file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new FlowGuardError(
      'FG_RULES_INVALID',
      `rules file ${file} is not valid YAML/JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseRuleCatalog(data, windows, base, file);
}

export function parseRuleCatalog(
  data: unknown,
  windows: WindowSpec[],
  base: BaseCurrency,
  source = 'inline',
): RuleCatalog {
  const context: RuleBuildContext = { base };
  const fail = (where: string, message: string): never => {
    throw new FlowGuardError('FG_RULES_INVALID', `rules file ${source}: ${where}: ${message}`);
  };
  const file = RulesFileSchema.safeParse(data);
  if (!file.success) fail(issuePath(file.error.issues[0]!), file.error.issues[0]!.message);
  const { scoring, alerting, rules: rawRules } = file.data!;
  const windowNames = new Set(windows.map((w) => w.name));
  const seen = new Set<string>();
  const rules: Rule[] = [];
  rawRules.forEach((raw, index) => {
    const label = `rules[${index}]${typeof raw === 'object' && raw && 'id' in raw ? ` (${String((raw as { id: unknown }).id)})` : ''}`;
    const def = RuleDefinitionSchema.safeParse(raw);
    if (!def.success) fail(`${label}.${issuePath(def.error.issues[0]!)}`, def.error.issues[0]!.message);
    const d = def.data!;
    if (seen.has(d.id)) fail(label, `duplicate rule id ${d.id}`);
    seen.add(d.id);
    const kind = KINDS[d.kind];
    const params = kind.params.safeParse(d.params);
    if (!params.success)
      fail(`${label}.params.${issuePath(params.error.issues[0]!)}`, params.error.issues[0]!.message);
    for (const [key, value] of Object.entries(params.data!)) {
      if ((key === 'window' || key === 'fundingWindow') && !windowNames.has(value as string)) {
        fail(
          `${label}.params.${key}`,
          `window "${String(value)}" is not one of the configured WINDOWS (${[...windowNames].join(', ')})`,
        );
      }
    }
    if (!d.enabled) return;
    const ruleBase = {
      id: d.id,
      kind: d.kind,
      description: d.description,
      severity: d.severity,
      weight: d.weight,
      params: params.data as Record<string, unknown>,
    };
    rules.push(
      (kind.build as (b: typeof ruleBase, p: unknown, c: RuleBuildContext) => Rule)(
        ruleBase,
        params.data,
        context,
      ),
    );
  });
  for (const id of alerting.seedsReplacementIndex)
    if (!seen.has(id)) fail('alerting.seedsReplacementIndex', `unknown rule ${id}`);
  if (!windowNames.has(alerting.seeding.window))
    fail(
      'alerting.seeding.window',
      `window "${alerting.seeding.window}" is not one of the configured WINDOWS`,
    );
  return {
    rules,
    scoring: { halfLifeMs: scoring.halfLife.ms, levels: scoring.levels },
    alerting: {
      cooldownMs: alerting.cooldown.ms,
      donorMemoryMs: alerting.donorMemory.ms,
      falsePositiveSilenceMs: alerting.falsePositiveSilence.ms,
      seedsReplacementIndex: alerting.seedsReplacementIndex,
      seeding: alerting.seeding,
    },
    source,
  };
}

function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.length ? issue.path.join('.') : '(root)';
}
