// Screenshots of the console for docs/console/ (queue, alert detail with its chart, the money's path
// of a replacement, the decision and audit trail), taken on the real stack at a laptop's screen size.
// `npm run console:screenshots` writes them to docs/console/; otherwise they go to a temporary directory,
// so the suite checks the screens render without touching tracked files.
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { ConsoleBrowser } from '../../support/console-page.js';
import {
  crowdfundingAlert,
  otherAlert,
  passThroughAlert,
  replacementAlert,
  walletRisk,
} from '../../support/console-samples.js';
import { startConsoleStack, type ConsoleStack } from '../../support/console-stack.js';

const MINUTE = 60_000;
const keep = process.env.CONSOLE_SCREENSHOTS;
const target = keep ? resolve(keep) : mkdtempSync(join(tmpdir(), 'fg-console-shots-'));

let stack: ConsoleStack;
let browser: ConsoleBrowser;

beforeAll(async () => {
  mkdirSync(target, { recursive: true });
  stack = await startConsoleStack();
  browser = await ConsoleBrowser.launch();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (!keep) rmSync(target, { recursive: true, force: true });
});

/** Scrolls the detail pane so `region` starts at its top. */
async function scrollTo(region: Locator): Promise<void> {
  await region.evaluate((node) =>
    (node as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }),
  );
}

it('renders the queue, an alert with its chart, a replacement graph and a decision', async () => {
  const now = Date.now();
  const campaign = 'w-2b81e0d4';
  const replacement = 'w-7f3a9c21';
  const mule = 'w-m55102';
  const shared = Array.from({ length: 12 }, (_, i) => `w-${(0x51a2c0 + i * 7919).toString(16)}`);
  stack.setRisk(walletRisk(campaign, {}, now));
  stack.setRisk(
    walletRisk(replacement, { level: 'critical', score: 92, ageHours: 9, burst: [3, 6, 11, 9, 14] }, now),
  );
  stack.setRisk(walletRisk(mule, { ageHours: 41 * 24, burst: [2, 12, 9, 4] }, now));
  stack.setRisk(
    walletRisk('w-shop-1187', { ageHours: 212 * 24, level: 'medium', score: 31, burst: [] }, now),
  );

  const page = await browser.open(stack.baseUrl);
  await page.screenshot(join(target, 'sign-in.png'));
  await page.signIn(stack.keys.analyst);
  await page.waitUntilLive();

  const alerts = [
    otherAlert(
      'w-shop-1187',
      {
        rules: ['structuring'],
        severity: 'medium',
        score: 31,
        summary:
          'Wallet w-shop-1187 (opened 212 days ago): 9 deposits just below the 15,000 RUB reporting threshold in 6 h.',
        evidence: [
          {
            rule: 'structuring',
            feature: 'depositsNearThreshold',
            value: 9,
            threshold: 5,
            comparison: '>=',
            window: '6h',
          },
        ],
      },
      now - 95 * MINUTE,
    ),
    crowdfundingAlert(campaign, now - 70 * MINUTE),
    otherAlert(
      'w-91c04e7a',
      {
        rules: ['baseline-break'],
        severity: 'medium',
        score: 35,
        summary:
          'Wallet w-91c04e7a (opened 64 days ago): it received 41 payments in 1 h against 2.3 expected from its own history.',
        evidence: [
          {
            rule: 'baseline-break',
            feature: 'inboundCount',
            value: 41,
            threshold: 20,
            comparison: '>=',
            window: '1h',
          },
        ],
      },
      now - 48 * MINUTE,
    ),
    passThroughAlert(mule, now - 25 * MINUTE),
    replacementAlert(replacement, campaign, shared, now - 2 * MINUTE),
  ];
  for (const alert of alerts) await stack.publishAlert(alert);
  const [structuring, crowdfunding, , passThrough, replacing] = alerts;
  await page.queueRow(replacing!.alertId).waitFor();

  // Some history in the queue: one handled, one read.
  await page.openAlert(structuring!.alertId);
  await page.page.getByRole('button', { name: 'Mark handled' }).click();
  await page.openAlert(passThrough!.alertId);
  await page.section('The money’s path: in and out again').getByRole('img').waitFor();

  await page.openAlert(crowdfunding!.alertId);
  await page.timelineChart().waitFor();
  await page.screenshot(join(target, 'queue.png'));
  await scrollTo(page.section('Evidence'));
  await page.screenshot(join(target, 'alert-detail.png'));

  await page.openAlert(replacing!.alertId);
  const path = page.section(/payers shared with a flagged wallet/);
  await page.moneyPathGraph().locator('canvas').first().waitFor();
  await scrollTo(path);
  await page.screenshot(join(target, 'replacement-graph.png'));

  await page.openAlert(crowdfunding!.alertId);
  await page.decide({
    kind: 'Blocked',
    reason: 'Campaign post on vk.com/club123 asks for donations to this wallet',
  });
  await page.section('Audit trail').locator('tbody tr').first().waitFor();
  await scrollTo(page.section('Decision'));
  await page.screenshot(join(target, 'decision-and-audit.png'));

  for (const name of ['sign-in', 'queue', 'alert-detail', 'replacement-graph', 'decision-and-audit']) {
    expect(statSync(join(target, `${name}.png`)).size).toBeGreaterThan(10_000);
  }
  expect(page.errors).toEqual([]);
  if (keep) console.log(`console screenshots in ${target}`);
});
