// Analyst feedback on the real pipeline: the flag goes through the audit topic into the detector's
// state. A blocked wallet's donors reveal, at once, a replacement wallet that took their money before
// the block; a false positive silences a rule for the wallet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import { deposit, HOUR, iso, MINUTE } from '../../support/events.js';
import { settle, startTestDetector, waitFor, type TestDetector } from '../../support/test-detector.js';

const DAY = 24 * HOUR;

describe('analyst flags', () => {
  let t: TestDetector;
  const start = Date.now() - 8 * HOUR;
  const opened = { toWalletCreatedAt: iso(start - HOUR) };
  const alertsOf = (walletId: string) =>
    t.alerts.records.map((r) => JSON.parse(r.value) as Alert).filter((a) => a.walletId === walletId);

  beforeAll(async () => {
    t = await startTestDetector();
  });
  afterAll(async () => t?.stop());

  it('finds a replacement wallet once the first wallet is blocked, from donors who came before', async () => {
    // Thirty donations to the first wallet: below every threshold, so it is never alerted by itself.
    const first = Array.from({ length: 30 }, (_, i) =>
      deposit('w-first', start + i * MINUTE, { fromRef: `d-${i}`, ...opened }),
    );
    // The second wallet: 20 of the same donors and 40 new ones — the campaign rules fire, but
    // nothing links it to w-first yet.
    const second = Array.from({ length: 60 }, (_, i) =>
      deposit('w-second', start + HOUR + i * MINUTE, { fromRef: i < 20 ? `d-${i}` : `n-${i}`, ...opened }),
    );
    await t.send([...first, ...second]);
    await t.caughtUp();
    await waitFor(() => alertsOf('w-second').length > 0);
    expect(alertsOf('w-second').flatMap((a) => a.rules)).not.toContain('replacement-wallet');

    const blocked = await t.api('/v1/wallets/w-first/flags', {
      method: 'POST',
      body: { kind: 'blocked', reason: 'the campaign post was reported by the platform' },
    });
    expect(blocked.statusCode).toBe(201);

    // No new payment is needed: flagging w-first searches the wallets its donors already paid.
    const escalation = await waitFor(() =>
      alertsOf('w-second').find((a) => a.rules.includes('replacement-wallet')),
    );
    expect(escalation.relatedWalletIds).toEqual(['w-first']);
    expect(escalation.relatedWallets![0]).toMatchObject({
      walletId: 'w-first',
      sharedPayers: 20,
      payersHeld: 60,
    });
    expect(escalation.relatedWallets![0]!.samplePayers).toContain('ref:d-0');
    expect(escalation.evidence.find((e) => e.feature === 'sharedPayers')!.value).toBe(20);
    const before = alertsOf('w-second').filter((a) => !a.rules.includes('replacement-wallet'));
    expect(escalation.previousAlertId).toBe(before.at(-1)!.alertId);
    expect(escalation.severity).toBe('critical');
  });

  it('silences a rule the analyst marked as a false positive for that wallet', async () => {
    const fp = await t.api('/v1/wallets/w-club/flags', {
      method: 'POST',
      body: { kind: 'false-positive', ruleId: 'young-wallet-fan-in', reason: 'sports club membership fees' },
    });
    expect(fp.statusCode).toBe(201);
    // In force once the detector has read it from the audit topic.
    await t.caughtUp();
    // Sixty new members over a week: the young-wallet rule alone would fire (no day holds 50 of them).
    const clubOpened = start - 6 * DAY - HOUR;
    const fees = Array.from({ length: 60 }, (_, i) =>
      deposit('w-club', clubOpened + HOUR + i * 2.4 * HOUR, {
        fromRef: `member-${i}`,
        toWalletCreatedAt: iso(clubOpened),
      }),
    );
    await t.send(fees);
    await t.caughtUp();
    await settle(1000);
    expect(alertsOf('w-club')).toEqual([]);
  });
});
