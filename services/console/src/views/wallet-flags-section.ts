// The wallet's flags in every status (GET /v1/wallets/:walletId/flags), with revoke for those in force
// or waiting (POST /v1/flags/:flagId/revoke, reason required).
import type { WalletFlagView } from '../../../../schemas/pages.js';
import { segment } from '../api-client.js';
import { el, replaceChildren } from '../dom.js';
import { localTime } from '../format.js';
import { SCOPES } from '../session.js';
import { describeFlag } from './flag-form.js';
import { errorLine, loadingLine, section } from './parts.js';
import { reasonPrompt } from './reason-prompt.js';
import type { ViewContext } from './view-context.js';

export interface ReloadableSection {
  element: HTMLElement;
  reload(): Promise<void>;
}

export function walletFlagsSection(
  ctx: ViewContext,
  walletId: string,
  onChange: () => void,
): ReloadableSection {
  const body = el('div', {}, loadingLine('flags'));
  const element = section('Flags on this wallet', 'wallet-flags', body);

  async function reload(): Promise<void> {
    try {
      const { flags } = await ctx.session.client.get<{ flags: WalletFlagView[] }>(
        `v1/wallets/${segment(walletId)}/flags`,
      );
      if (!ctx.isCurrent()) return;
      replaceChildren(
        body,
        flags.length === 0
          ? el('p', {}, 'No flags.')
          : el('ul', { class: 'plain-list flag-list' }, flags.map(flagItem)),
      );
    } catch (error) {
      if (ctx.isCurrent()) replaceChildren(body, errorLine('flags', error));
    }
  }

  function flagItem(flag: WalletFlagView): HTMLElement {
    const revocable = (flag.status === 'active' && flag.inForce) || flag.status === 'pending-approval';
    return el(
      'li',
      { class: `flag status-${flag.status}`, 'data-flag-id': flag.flagId },
      el('strong', {}, describeFlag(flag)),
      ` — ${flag.status}${flag.status === 'active' && !flag.inForce ? ' (expired)' : ''}, by ${flag.createdBy} on ${localTime(flag.createdAt)}`,
      flag.approvedBy ? `, approved by ${flag.approvedBy}` : '',
      flag.revokedBy ? `, revoked by ${flag.revokedBy}` : '',
      flag.expiresAt ? `, until ${localTime(flag.expiresAt)}` : '',
      el('span', { class: 'flag-reason' }, `“${flag.reason}”`),
      revocable && ctx.session.can(SCOPES.flagsWrite)
        ? reasonPrompt({
            opener: 'Revoke…',
            confirm: 'Revoke flag',
            label: `Why revoke flag ${flag.flagId}?`,
            act: async (reason) => {
              await ctx.session.client.post(`v1/flags/${segment(flag.flagId)}/revoke`, { reason });
              onChange();
              return 'Revoked.';
            },
          })
        : null,
    );
  }

  return { element, reload };
}
