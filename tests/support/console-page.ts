// Drives the analyst console in Debian's headless Chromium (playwright-core) the way an analyst does:
// by labels, roles and visible text, never by CSS internals, so a test reads like the workflow it checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags this machine's closed network needs: without them Chromium's background connections
 * (updates, sync, field trials) fail noisily. Playwright adds --headless itself.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A laptop screen. */
export const VIEWPORT = { width: 1440, height: 900 };

export class ConsoleBrowser {
  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  /** A fresh profile (user data dir) each time: no state leaks between test files. */
  static async launch(): Promise<ConsoleBrowser> {
    const profile = mkdtempSync(join(tmpdir(), 'fg-console-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORT,
      locale: 'en-GB',
      timezoneId: 'UTC',
      reducedMotion: 'reduce',
    });
    return new ConsoleBrowser(context, profile);
  }

  /** A new tab (its own sessionStorage: signed out) on the console at `baseUrl`. */
  async open(baseUrl: string): Promise<ConsolePage> {
    const page = await this.context.newPage();
    const console = new ConsolePage(page, baseUrl);
    await page.goto(`${baseUrl}/console/`);
    return console;
  }

  async close(): Promise<void> {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class ConsolePage {
  /** Messages the page logged as errors (CSP refusals included): a clean console logs none. */
  readonly errors: string[] = [];

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
    });
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  async signIn(credential: string): Promise<void> {
    await this.page.getByLabel('API key or bearer token').fill(credential);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.getByRole('heading', { name: 'Alert queue' }).waitFor();
  }

  /** The queue's list of alerts. */
  queue(): Locator {
    return this.page.getByRole('list', { name: 'Alert queue' });
  }

  /** The queue row (its link) of an alert. */
  queueRow(alertId: string): Locator {
    return this.queue().locator(`li[data-alert-id="${alertId}"] > a`);
  }

  /** The queue rows of a wallet's alerts, newest first (for alerts whose id a test does not know). */
  queueRowsOfWallet(walletId: string): Locator {
    return this.queue()
      .locator('li')
      .filter({
        has: this.page.locator('.row-meta', { hasText: new RegExp(`^${escapeRegExp(walletId)} ·`) }),
      })
      .locator('> a');
  }

  async waitUntilLive(timeoutMs = 30_000): Promise<void> {
    await this.page.locator('.feed-status[data-status="live"]').waitFor({ timeout: timeoutMs });
  }

  async openAlert(alertId: string): Promise<void> {
    await this.queueRow(alertId).click();
    await this.detailHeading().waitFor();
  }

  detailHeading(): Locator {
    return this.page.locator('#detail-heading');
  }

  /** A region of the detail pane by its heading, e.g. "Evidence", "Audit trail". */
  section(name: string | RegExp): Locator {
    return this.page.getByRole('region', { name, exact: typeof name === 'string' });
  }

  /** Where the keyboard focus is: "<tag>#<id>" and the element's text, for keyboard tests. */
  async focused(): Promise<string> {
    return this.page.evaluate(
      '(() => { const e = document.activeElement; return e ? `${e.tagName.toLowerCase()}#${e.id} ${e.textContent ?? ""}`.trim() : ""; })()',
    );
  }

  /** The alert whose queue row has the keyboard focus, or null. */
  async focusedAlertId(): Promise<string | null> {
    return this.page.evaluate(
      '(() => document.activeElement?.closest("li[data-alert-id]")?.getAttribute("data-alert-id") ?? null)()',
    );
  }

  /** Controls (buttons, fields, links...) without an accessible name in the page's accessibility tree. */
  async unnamedControls(): Promise<string[]> {
    const tree = await this.page.locator('body').ariaSnapshot();
    return tree
      .split('\n')
      .map((line) => line.trim())
      .filter((line) =>
        /^- (button|textbox|combobox|radio|checkbox|link|listbox|spinbutton)(:|$| \[)/.test(line),
      );
  }

  evidenceRows(): Locator {
    return this.section('Evidence').locator('tbody tr');
  }

  /** The inbound timeline chart (a canvas with its description as accessible name). */
  timelineChart(): Locator {
    return this.section(/Inbound payments per hour/).getByRole('img');
  }

  /** The money's path graph of a replacement alert. */
  moneyPathGraph(): Locator {
    return this.section(/payers shared with a flagged wallet/).getByRole('img');
  }

  /** Records a decision on the open wallet with the form's labelled controls. */
  async decide(decision: {
    kind: 'Confirmed' | 'False positive' | 'Blocked';
    /** For a false positive: "Rule <id> only" or "Every rule of this wallet". */
    silence?: string;
    reason: string;
  }): Promise<string> {
    const form = this.section('Decision');
    await form.getByLabel(decision.kind, { exact: true }).check();
    if (decision.silence) await form.getByLabel(decision.silence, { exact: true }).check();
    await form.getByLabel('Reason (required)').fill(decision.reason);
    await form.getByRole('button', { name: 'Record decision' }).click();
    const outcome = form.getByRole('status');
    await outcome.filter({ hasText: /Recorded|Requested|Not recorded/ }).waitFor();
    return (await outcome.textContent()) ?? '';
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: false });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
