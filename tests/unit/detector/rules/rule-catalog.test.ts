// The analysts' rules file: validated with errors that name the rule and field, reloaded safely.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { RuleCatalogHolder } from '../../../../services/detector/src/rules/rule-catalog-holder.js';
import { parseRuleCatalog } from '../../../../services/detector/src/rules/rule-catalog.js';
import { config } from '../../../support/rule-fixtures.js';

const defaults = () =>
  YAML.parse(readFileSync(config.rulesFile, 'utf8')) as { rules: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;

describe('rules file validation', () => {
  it('accepts the shipped default catalog with all ten rules', () => {
    const catalog = parseRuleCatalog(defaults(), config.features.windows, config.features.base);
    expect(catalog.rules.map((r) => r.id)).toEqual([
      'crowdfunding-fan-in',
      'slow-campaign-fan-in',
      'young-wallet-fan-in',
      'baseline-break',
      'replacement-wallet',
      'pass-through',
      'layering',
      'structuring',
      'fan-out',
      'watchlist-mention',
    ]);
  });

  it('names the rule and the field of a bad parameter', () => {
    const data = defaults();
    (data.rules[5]!.params as Record<string, unknown>).minOutShare = 3;
    expect(() => parseRuleCatalog(data, config.features.windows, config.features.base)).toThrow(
      /rules\[5\] \(pass-through\)\.params\.minOutShare/,
    );
  });

  it('rejects a window that is not configured, an unknown kind and a duplicate id', () => {
    const badWindow = defaults();
    (badWindow.rules[0]!.params as Record<string, unknown>).window = '3h';
    expect(() => parseRuleCatalog(badWindow, config.features.windows, config.features.base)).toThrow(
      /crowdfunding-fan-in.*window "3h"/,
    );
    const badKind = defaults();
    badKind.rules[1]!.kind = 'magic';
    expect(() => parseRuleCatalog(badKind, config.features.windows, config.features.base)).toThrow(
      /rules\[1\] \(slow-campaign-fan-in\)\.kind/,
    );
    const dup = defaults();
    dup.rules[2]!.id = 'crowdfunding-fan-in';
    expect(() => parseRuleCatalog(dup, config.features.windows, config.features.base)).toThrow(
      /duplicate rule id/,
    );
  });
});

describe('rules reload', () => {
  it('picks up a changed file and keeps the previous rules when the new file is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-rules-'));
    const file = join(dir, 'rules.yaml');
    const data = defaults();
    writeFileSync(file, YAML.stringify(data));
    const holder = new RuleCatalogHolder(
      file,
      config.features.windows,
      config.features.base,
      pino({ level: 'silent' }),
    );
    expect(holder.current().rules).toHaveLength(10);

    data.rules = data.rules.filter((r) => r.id !== 'structuring');
    writeFileSync(file, YAML.stringify(data));
    expect(holder.reload()).toBe(true);
    expect(holder.current().rules.map((r) => r.id)).not.toContain('structuring');

    writeFileSync(file, 'version: 1\nrules: [ {id: broken');
    expect(holder.reload()).toBe(false);
    expect(holder.lastReloadError).toMatch(/not valid YAML/);
    expect(holder.current().rules).toHaveLength(9);
  });
});
