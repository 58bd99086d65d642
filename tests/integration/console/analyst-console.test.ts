// The analyst console in headless Chromium on the real stack: Kafka, Redis and the real API app.
// Alerts are produced straight to the alerts topic (as the detector publishes them); decisions are
// checked through the API and its audit trail, not through the page alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../schemas/audit-record.js';
import type { WalletFlag } from '../../../schemas/wallet-flag.js';
import { eventually } from '../../support/api-fixture.js';
import { ConsoleBrowser, type ConsolePage } from '../../support/console-page.js';
import {
  crowdfundingAlert,
  passThroughAlert,
  payers,
  replacementAlert,
  walletRisk,
} from '../../support/console-samples.js';
import { startConsoleStack, type ConsoleStack } from '../../support/console-stack.js';

let stack: ConsoleStack;
let browser: ConsoleBrowser;
let run = 0;

beforeAll(async () => {
  stack = await startConsoleStack();
  browser = await ConsoleBrowser.launch();
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** A wallet id no other test uses. */
function wallet(name: string): string {
  run += 1;
  return `w-${name}-${Date.now().toString(36)}${run}`;
}

async function api<T>(path: string, key = stack.keys.analyst): Promise<{ status: number; body: T }> {
  const answer = await stack.api.app.inject({ url: path, headers: { authorization: `Bearer ${key}` } });
  return { status: answer.statusCode, body: answer.json() as T };
}

async function signedIn(who: 'analyst' | 'approver' = 'analyst'): Promise<ConsolePage> {
  const page = await browser.open(stack.baseUrl);
  await page.signIn(stack.keys[who]);
  await page.waitUntilLive();
  return page;
}

/** The alert ids of the queue's rows, top to bottom. */
async function queueOrder(page: ConsolePage): Promise<string[]> {
  return page
    .queue()
    .locator('li')
    .evaluateAll((rows) =>
      rows.map((row) => (row as unknown as { dataset: { alertId: string } }).dataset.alertId),
    );
}

/** The part of the canvas API the pixel check reads (the tests compile without the DOM library). */
interface CanvasPixels {
  getImageData(x: number, y: number, width: number, height: number): { data: ArrayLike<number> };
}

describe('signing in', () => {
  it('shows an unauthenticated visitor the sign-in form and no data', async () => {
    const id = wallet('secret');
    const alert = crowdfundingAlert(id);
    await stack.publishAlert(alert);
    await eventually(async () => (await api(`/v1/alerts/${alert.alertId}`)).status === 200);

    const page = await browser.open(stack.baseUrl);
    const dataAnswers: string[] = [];
    page.page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/v1/') && response.status() < 400)
        dataAnswers.push(response.url());
    });
    await page.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.page.getByLabel('API key or bearer token').isVisible()).toBe(true);

    // A wrong key is refused with the server's reason, and still nothing is shown.
    await page.page.getByLabel('API key or bearer token').fill(`fgk.dana.${'x'.repeat(43)}`);
    await page.page.getByRole('button', { name: 'Sign in' }).click();
    await page.page.getByRole('alert').filter({ hasText: 'unknown API key' }).waitFor();

    const text = (await page.page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(id);
    expect(text).not.toContain(alert.summary);
    expect(await page.page.getByRole('heading', { name: 'Alert queue' }).count()).toBe(0);
    expect(dataAnswers).toEqual([]);
    // The data behind the page needs a credential even when asked for directly.
    expect((await stack.api.app.inject({ url: '/v1/alerts' })).statusCode).toBe(401);
    expect((await stack.api.app.inject({ url: `/v1/wallets/${id}/risk` })).statusCode).toBe(401);
    await page.page.close();
  });

  it('serves the console under the API security headers, with nothing the policy refuses', async () => {
    const answer = await fetch(`${stack.baseUrl}/console/`);
    expect(answer.status).toBe(200);
    const policy = answer.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect((await fetch(`${stack.baseUrl}/console`, { redirect: 'manual' })).headers.get('location')).toBe(
      'console/',
    );

    const page = await signedIn();
    const id = wallet('csp');
    stack.setRisk(walletRisk(id));
    const alert = replacementAlert(id, wallet('flagged'), payers(id, 8));
    await stack.publishAlert(alert);
    await page.openAlert(alert.alertId);
    await page.moneyPathGraph().waitFor();
    await page.timelineChart().waitFor();
    // Charts, graph and page ran under the policy without a refusal or an error.
    expect(page.errors).toEqual([]);
    await page.page.close();
  });
});

describe('the queue', () => {
  it('shows alerts produced to the alerts topic within seconds, live, newest first, with their summary', async () => {
    const page = await signedIn();
    const first = crowdfundingAlert(wallet('live'));
    const sentAt = Date.now();
    await stack.publishAlert(first);
    await page.queueRow(first.alertId).waitFor({ timeout: 10_000 });
    const seconds = (Date.now() - sentAt) / 1000;
    console.log(`alert visible in the queue ${seconds.toFixed(2)} s after it was produced`);
    expect(seconds).toBeLessThan(10);

    const second = passThroughAlert(wallet('live'));
    await stack.publishAlert(second);
    await page.queueRow(second.alertId).waitFor({ timeout: 10_000 });

    const row = page.queueRow(first.alertId);
    expect(await row.textContent()).toContain(first.summary);
    expect(await page.queueRowsOfWallet(first.walletId).count()).toBe(1);
    expect(await row.textContent()).toContain('Unread');
    const ids = await queueOrder(page);
    expect(ids.indexOf(second.alertId)).toBeLessThan(ids.indexOf(first.alertId));
    await page.page.close();
  });

  it('filters by severity, rule and time, and keeps read and handled marks in the browser', async () => {
    const page = await signedIn();
    const high = crowdfundingAlert(wallet('filter'));
    const critical = replacementAlert(wallet('filter'), wallet('flagged'), payers('f', 6));
    const old = { ...passThroughAlert(wallet('filter'), Date.now() - 3 * 86_400_000) };
    for (const alert of [old, high, critical]) await stack.publishAlert(alert);
    await page.queueRow(critical.alertId).waitFor();

    await page.page.getByLabel('Severity').selectOption('critical');
    await page.queueRow(high.alertId).waitFor({ state: 'detached' });
    await page.queueRow(critical.alertId).waitFor();

    await page.page.getByLabel('Severity').selectOption('');
    await page.page.getByLabel('Rule').selectOption('pass-through');
    await page.queueRow(old.alertId).waitFor();
    expect(await page.queueRow(high.alertId).count()).toBe(0);

    await page.page.getByLabel('Rule').selectOption('');
    await page.page.getByLabel('Detected').selectOption('24h');
    await page.queueRow(high.alertId).waitFor();
    expect(await page.queueRow(old.alertId).count()).toBe(0);

    // Opened → read; marked handled → out of "not handled"; both survive a reload.
    await page.openAlert(high.alertId);
    await page.page.getByRole('button', { name: 'Mark handled' }).click();
    await page.page.getByLabel('Show').selectOption('open');
    await page.queueRow(high.alertId).waitFor({ state: 'detached' });
    await page.page.getByLabel('Show').selectOption('unread');
    await page.queueRow(critical.alertId).waitFor();
    expect(await page.queueRow(high.alertId).count()).toBe(0);

    await page.page.reload();
    await page.page.getByRole('heading', { name: 'Alert queue' }).waitFor();
    await page.queueRow(high.alertId).waitFor();
    expect(await page.queueRow(high.alertId).textContent()).toContain('Handled');
    await page.page.close();
  });
});

describe('an alert', () => {
  it('shows every evidence line with value, test, threshold and window, and the inbound chart against the baseline', async () => {
    const id = wallet('detail');
    stack.setRisk(walletRisk(id));
    const earlier = { ...crowdfundingAlert(id, Date.now() - 20 * 3_600_000), rules: ['baseline-break'] };
    const alert = crowdfundingAlert(id);
    await stack.publishAlert(earlier);
    await stack.publishAlert(alert);
    const page = await signedIn();
    await page.queueRow(alert.alertId).waitFor();
    await page.openAlert(alert.alertId);

    expect(await page.detailHeading().textContent()).toContain(id);
    await page.evidenceRows().first().waitFor();
    const rows = await page.evidenceRows().allTextContents();
    expect(rows).toHaveLength(alert.evidence.length);
    expect(rows[0]).toMatch(/small deposits\s*212\s*≥.*30\s*last 6 h/);
    expect(rows[2]).toContain('61,480 RUB');
    expect(rows[5]).toMatch(/wallet age hours\s*30 hours\s*≤.*168 hours/);

    const chart = page.timelineChart();
    await chart.waitFor();
    const description = (await chart.getAttribute('aria-label')) ?? '';
    expect(description).toContain('peak 45');
    expect(description).toContain('baseline band is 0 to 2.1 per hour');
    // Chart.js drew into the canvas: it is not blank.
    const inked = await chart.evaluate((canvas) => {
      const { width, height } = canvas as unknown as { width: number; height: number };
      const context = (canvas as unknown as { getContext(kind: '2d'): CanvasPixels }).getContext('2d');
      const pixels = context.getImageData(0, 0, width, height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted += 1;
      return painted;
    });
    expect(inked).toBeGreaterThan(1000);

    const figures = (await page.section('Wallet').textContent()) ?? '';
    expect(figures).toContain('Age30 h');
    await eventually(async () =>
      ((await page.section('Previous alerts on this wallet').textContent()) ?? '').includes('baseline-break'),
    );
    await page.page.close();
  });

  it('draws the money path of a replacement alert: the flagged wallet, this wallet and their shared payers', async () => {
    const id = wallet('replacement');
    const flagged = wallet('blocked');
    const shared = payers(id, 12);
    stack.setRisk(walletRisk(id, { level: 'critical', score: 92, burst: [4, 9, 12] }));
    const alert = replacementAlert(id, flagged, shared);
    await stack.publishAlert(alert);
    const page = await signedIn();
    await page.queueRow(alert.alertId).waitFor();
    await page.openAlert(alert.alertId);

    const path = page.section(/payers shared with a flagged wallet/);
    expect(await path.locator('.headline').textContent()).toBe(
      `Shares 18 payers (78% of its 23) with flagged wallet ${flagged}. `,
    );
    const graph = page.moneyPathGraph();
    await graph.waitFor();
    const label = (await graph.getAttribute('aria-label')) ?? '';
    expect(label).toContain(`also paid flagged wallet ${flagged}`);
    for (const payer of shared) expect(label).toContain(payer);
    // Cytoscape drew the graph (its canvases are inside the container, sized to it).
    await eventually(async () => (await graph.locator('canvas').count()) > 0);
    const box = await graph.locator('canvas').first().boundingBox();
    expect(box?.width).toBeGreaterThan(300);

    await path.getByText(/Shared payers shown \(12\)/).click();
    expect(await path.getByRole('link').filter({ hasText: shared[0]! }).count()).toBe(1);
    await page.page.close();
  });

  it('shows a pass-through alert as inflow and outflow over the alert window', async () => {
    const id = wallet('mule');
    stack.setRisk(walletRisk(id, { ageHours: 41 * 24, burst: [3, 14, 9, 5] }));
    const alert = passThroughAlert(id);
    await stack.publishAlert(alert);
    const page = await signedIn();
    await page.queueRow(alert.alertId).waitFor();
    await page.openAlert(alert.alertId);
    const path = page.section('The money’s path: in and out again');
    expect(await path.locator('.headline').textContent()).toBe(
      "In the alert's window: 148,200 RUB came in and 139,300 RUB left (94%).",
    );
    await path.getByRole('img').waitFor();
    await page.page.close();
  });
});

describe('decisions', () => {
  it('records a false positive on one rule with its reason: the flag and the audit entry are in the API', async () => {
    const id = wallet('fp');
    stack.setRisk(walletRisk(id));
    const alert = crowdfundingAlert(id);
    await stack.publishAlert(alert);
    const page = await signedIn();
    await page.queueRow(alert.alertId).waitFor();
    await page.openAlert(alert.alertId);

    // Without a reason nothing is sent.
    const form = page.section('Decision');
    await form.getByLabel('False positive', { exact: true }).check();
    await form.getByRole('button', { name: 'Record decision' }).click();
    await form.getByText('Give a reason of at least 3 characters.').waitFor();
    expect((await api<{ flags: WalletFlag[] }>(`/v1/wallets/${id}/flags`)).body.flags).toEqual([]);

    const reason = 'Birthday collection for a colleague, confirmed by phone';
    const outcome = await page.decide({
      kind: 'False positive',
      silence: 'Rule crowdfunding-fan-in only',
      reason,
    });
    expect(outcome).toMatch(/^Recorded: false positive on crowdfunding-fan-in/);

    const flags = (await api<{ flags: (WalletFlag & { inForce: boolean })[] }>(`/v1/wallets/${id}/flags`))
      .body.flags;
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({
      kind: 'false-positive',
      ruleId: 'crowdfunding-fan-in',
      reason,
      status: 'active',
      createdBy: 'key:dana',
      inForce: true,
    });
    const audit = (await api<{ records: AuditRecord[] }>(`/v1/audit?walletId=${id}`)).body.records;
    expect(audit.map((r) => [r.action, r.principal.id, r.reason])).toEqual([
      ['flag.recorded', 'key:dana', reason],
    ]);

    // The page shows the same: the audit row, the flag, and the alert marked handled in the queue.
    const auditRow = page.section('Audit trail').locator('tbody tr').first();
    await auditRow.filter({ hasText: 'Flag recorded' }).waitFor();
    expect(await auditRow.textContent()).toContain('key:dana');
    expect(await auditRow.textContent()).toContain(reason);
    await page.section('Flags on this wallet').getByText('false positive on crowdfunding-fan-in').waitFor();
    expect(await page.queueRow(alert.alertId).textContent()).toContain('Handled');
    await page.page.close();
  });

  it('asks a second analyst to approve a false positive on every rule, and the approval queue grants it', async () => {
    const id = wallet('all-rules');
    stack.setRisk(walletRisk(id));
    const alert = crowdfundingAlert(id);
    await stack.publishAlert(alert);
    const maker = await signedIn('analyst');
    await maker.queueRow(alert.alertId).waitFor();
    await maker.openAlert(alert.alertId);
    const outcome = await maker.decide({
      kind: 'False positive',
      silence: 'Every rule of this wallet',
      reason: 'Charity registered with the regulator',
    });
    expect(outcome).toMatch(/^Requested: flag .* waits for a second analyst’s approval/);
    const [pending] = (await api<{ flags: WalletFlag[] }>(`/v1/wallets/${id}/flags`)).body.flags;
    expect(pending).toMatchObject({ status: 'pending-approval', ruleId: null });

    const checker = await signedIn('approver');
    await checker.page.getByRole('link', { name: /Approvals/ }).click();
    const request = checker.page.locator(`li[data-flag-id="${pending!.flagId}"]`);
    await request.waitFor();
    expect(await request.textContent()).toContain('Requested by key:dana');
    await request.getByRole('button', { name: 'Approve…' }).click();
    await request.getByLabel(/Note for approving/).fill('Checked the registry entry');
    await request.getByRole('button', { name: 'Approve', exact: true }).click();
    await request.waitFor({ state: 'detached' });

    const flag = (await api<WalletFlag>(`/v1/flags/${pending!.flagId}`)).body;
    expect(flag).toMatchObject({ status: 'active', approvedBy: 'key:sam', createdBy: 'key:dana' });
    const actions = (await api<{ records: AuditRecord[] }>(`/v1/audit?walletId=${id}`)).body.records.map(
      (r) => [r.action, r.principal.id],
    );
    expect(actions).toEqual([
      ['flag.approved', 'key:sam'],
      ['flag.requested', 'key:dana'],
    ]);
    await maker.page.close();
    await checker.page.close();
  });

  it('lists a wallet on the watchlist with its source link and counts the alerts citing it', async () => {
    const id = wallet('watched');
    const page = await signedIn();
    await page.page.getByRole('link', { name: 'Watchlist' }).click();
    const form = page.page.getByRole('form', { name: 'Add a wallet to the watchlist' });
    await form.getByLabel('Wallet id').fill(id);
    await form.getByLabel('Where it was seen').fill('vk.com/club123 post of 2026-11-20');
    await form.getByLabel('Link to the post').fill('https://vk.com/club123?w=wall-123_456');
    await form.getByRole('button', { name: 'Add to watchlist' }).click();
    const row = page.page.locator(`tr[data-wallet-id="${id}"]`);
    await row.waitFor();
    const link = row.getByRole('link', { name: 'vk.com/club123 post of 2026-11-20' });
    expect(await link.getAttribute('href')).toBe('https://vk.com/club123?w=wall-123_456');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

    const audit = (await api<{ records: AuditRecord[] }>(`/v1/audit?walletId=${id}`)).body.records;
    expect(audit.map((r) => [r.action, r.principal.id])).toEqual([['watchlist.added', 'key:dana']]);

    // An alert citing the listing is a hit.
    const cited = {
      ...crowdfundingAlert(id),
      watchlist: [
        { mentionId: 'm-1', source: 'vk.com/club123 post of 2026-11-20', seenAt: new Date().toISOString() },
      ],
    };
    await stack.publishAlert(cited);
    await eventually(async () => {
      await page.page.getByRole('link', { name: 'Watchlist' }).click();
      await page.page.getByRole('link', { name: 'Queue' }).click();
      await page.page.getByRole('link', { name: 'Watchlist' }).click();
      await row.waitFor();
      return ((await row.locator('td').nth(3).textContent()) ?? '').startsWith('1');
    });
    await page.page.close();
  });
});

describe('keyboard and labels', () => {
  it('works the main flow from the keyboard: sign in, move through the queue, open, decide', async () => {
    const id = wallet('keys');
    stack.setRisk(walletRisk(id));
    const alert = crowdfundingAlert(id);
    const other = passThroughAlert(wallet('keys'), Date.now() - 60_000);
    await stack.publishAlert(other);
    await stack.publishAlert(alert);
    await eventually(async () => (await api(`/v1/alerts/${alert.alertId}`)).status === 200);

    const page = await browser.open(stack.baseUrl);
    const keys = page.page.keyboard;
    // The credential field has the focus on arrival.
    expect(await page.focused()).toMatch(/^input#credential/);
    await keys.type(stack.keys.analyst);
    await keys.press('Enter');
    await page.page.getByRole('heading', { name: 'Alert queue' }).waitFor();
    await page.queueRow(alert.alertId).waitFor();

    // Tab reaches the queue after the filters; the arrow keys move between alerts.
    for (let i = 0; i < 12 && !(await page.focusedAlertId()); i += 1) await keys.press('Tab');
    const order = await queueOrder(page);
    expect(await page.focusedAlertId()).toBe(order[0]);
    const from = order.indexOf(alert.alertId);
    for (let i = 0; i < from; i += 1) await keys.press('ArrowDown');
    expect(await page.focusedAlertId()).toBe(alert.alertId);
    await keys.press('ArrowDown');
    expect(await page.focusedAlertId()).toBe(order[from + 1]);
    await keys.press('ArrowUp');
    expect(await page.focusedAlertId()).toBe(alert.alertId);
    await keys.press('Enter');
    await page.detailHeading().waitFor();
    expect(await page.focused()).toMatch(/^h2#detail-heading/);
    // Escape goes back to the alert's row; Enter opens it again.
    await keys.press('Escape');
    expect(await page.focusedAlertId()).toBe(alert.alertId);
    await keys.press('Enter');
    await page.page.waitForFunction('document.activeElement?.id === "detail-heading"');

    // Tab on to the decision: the radio group, then the reason, then the button.
    for (let i = 0; i < 60 && !(await page.focused()).startsWith('input#choice'); i += 1)
      await keys.press('Tab');
    expect(await page.focused()).toMatch(/^input#choice/);
    await keys.press('ArrowDown');
    const chosen = await page.section('Decision').getByLabel('False positive', { exact: true }).isChecked();
    expect(chosen).toBe(true);
    for (let i = 0; i < 10 && !(await page.focused()).startsWith('textarea'); i += 1) await keys.press('Tab');
    await keys.type('Known merchant, onboarding checked');
    await keys.press('Tab');
    expect(await page.focused()).toMatch(/Record decision/);
    await keys.press('Enter');
    await page
      .section('Decision')
      .getByText(/^Recorded: false positive on crowdfunding-fan-in/)
      .waitFor();
    await page.page.close();
  });

  it('gives every control an accessible name', async () => {
    const id = wallet('labels');
    stack.setRisk(
      walletRisk(id, {
        overlaps: [{ walletId: wallet('flagged'), sharedPayers: 7, samplePayers: payers(id, 5) }],
      }),
    );
    const alert = crowdfundingAlert(id);
    await stack.publishAlert(alert);
    const page = await browser.open(stack.baseUrl);
    expect(await page.unnamedControls()).toEqual([]);
    await page.signIn(stack.keys.approver);
    await page.queueRow(alert.alertId).waitFor();
    await page.openAlert(alert.alertId);
    await page.section('Audit trail').locator('tbody tr, p').first().waitFor();
    expect(await page.unnamedControls()).toEqual([]);
    await page.page.getByRole('link', { name: 'Open wallet' }).click();
    await page.timelineChart().waitFor();
    expect(await page.unnamedControls()).toEqual([]);
    for (const view of ['Watchlist', /Approvals/]) {
      await page.page.getByRole('link', { name: view }).click();
      await page.page.getByRole('heading', { level: 2 }).last().waitFor();
      expect(await page.unnamedControls()).toEqual([]);
    }
    await page.page.close();
  });
});
