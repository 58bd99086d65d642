// Keeps the current rule catalog and reloads it on file change or SIGHUP; a reload that does not
// validate keeps the previous rules and records why.
import { watchFile, unwatchFile } from 'node:fs';
import type { Logger } from 'pino';
import type { WindowSpec } from '../config/index.js';
import type { BaseCurrency } from '../domain/money.js';
import { loadRuleCatalog, type RuleCatalog } from './rule-catalog.js';

export class RuleCatalogHolder {
  private catalog: RuleCatalog;
  lastReloadError: string | null = null;
  loadedAt = new Date();

  constructor(
    private readonly file: string,
    private readonly windows: WindowSpec[],
    private readonly base: BaseCurrency,
    private readonly logger: Logger,
  ) {
    // A bad file at start stops the service (thrown here); later, only the reload fails.
    this.catalog = loadRuleCatalog(file, windows, base);
  }

  current = (): RuleCatalog => this.catalog;

  reload(): boolean {
    try {
      this.catalog = loadRuleCatalog(this.file, this.windows, this.base);
      this.lastReloadError = null;
      this.loadedAt = new Date();
      this.logger.info({ rules: this.catalog.rules.map((r) => r.id), file: this.file }, 'rules reloaded');
      return true;
    } catch (error) {
      this.lastReloadError = (error as Error).message;
      this.logger.error({ err: error }, 'rules reload failed; keeping the previous rules');
      return false;
    }
  }

  watch(): void {
    // Polling survives editors that replace the file (rename) where fs.watch would lose track of it.
    watchFile(this.file, { interval: 1000 }, (current, previous) => {
      if (current.mtimeMs !== previous.mtimeMs) this.reload();
    });
  }

  close(): void {
    unwatchFile(this.file);
  }
}
