// The whole path in a real browser: a simulated campaign sent to the input topic is detected by the
// real pipeline and appears, live, in the analyst console's queue within seconds; opening it shows
// the evidence and the wallet's timeline chart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaign, HOUR, MINUTE } from '../../support/events.js';
import { ConsoleBrowser, type ConsolePage } from '../../support/console-page.js';
import { startTestDetector, type TestDetector } from '../../support/test-detector.js';

describe('a campaign in the console', () => {
  let t: TestDetector;
  let browser: ConsoleBrowser;
  let page: ConsolePage;

  beforeAll(async () => {
    t = await startTestDetector();
    const address = await t.detector.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await ConsoleBrowser.launch();
    page = await browser.open(address);
    await page.signIn(t.apiKey);
    await page.waitUntilLive();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the alert live, with its evidence and the inbound chart', async () => {
    const sentAt = Date.now();
    await t.send(campaign('w-console-campaign', Date.now() - 2 * HOUR, 60, MINUTE));
    const row = page.queueRowsOfWallet('w-console-campaign').first();
    await row.waitFor({ timeout: 15_000 });
    expect(Date.now() - sentAt).toBeLessThan(15_000);
    await expect(row.textContent()).resolves.toMatch(/w-console-campaign/);
    await row.click();
    await page.detailHeading().waitFor();
    const evidence = page.section('Evidence');
    await expect(evidence.textContent()).resolves.toMatch(/payers/i);
    await page.page.locator('canvas').first().waitFor();
    expect(page.errors).toEqual([]);
  });
});
