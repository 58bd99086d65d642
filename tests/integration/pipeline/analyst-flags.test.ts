// Analyst feedback on the real pipeline: the flag goes through the audit topic into the detector's
// state. A blocked wallet's donors reveal, at once, a replacement wallet that took their money before
// the block; a false positive silences a rule for the wallet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import { deposit, HOUR, iso, MINUTE } from '../../support/events.js';
import { settle, startTestDetector, waitFor, type TestDetector } from '../../support/test-detector.js';

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
    // Ten donations to the first wallet: below every threshold, so it is never alerted by itself.
    const first = Array.from({ length: 10 }, (_, i) =>
      deposit('w-first', start + i * MINUTE, { fromRef: `d-${i}`, ...opened }),
    );
    // The second wallet: 8 of the same donors and 14 new ones — young-wallet fan-in fires, but
    // nothing links it to w-first yet.
    const second = Array.from({ length: 22 }, (_, i) =>
      deposit('w-second', start + HOUR + i * MINUTE, { fromRef: i < 8 ? `d-${i}` : `n-${i}`, ...opened }),
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
      sharedPayers: 8,
      payersHeld: 22,
    });
    expect(escalation.relatedWallets![0]!.samplePayers).toContain('ref:d-0');
    expect(escalation.evidence.find((e) => e.feature === 'sharedPayers')!.value).toBe(8);
    expect(escalation.previousAlertId).toBe(alertsOf('w-second')[0]!.alertId);
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
    const fees = Array.from({ length: 25 }, (_, i) =>
      deposit('w-club', start + i * MINUTE, { fromRef: `member-${i}`, ...opened }),
    );
    await t.send(fees);
    await t.caughtUp();
    await settle(1000);
    expect(alertsOf('w-club')).toEqual([]);
  });
});
