// The approval queue (flags:approve): requests to silence every rule of a wallet, waiting for a second
// analyst. Approve (an optional note) or reject (a reason); the API refuses the request's own maker.
import type { WalletFlagView } from '../../../../schemas/pages.js';
import { segment } from '../api-client.js';
import { el, replaceChildren } from '../dom.js';
import { localTime } from '../format.js';
import { SCOPES } from '../session.js';
import { describeFlag } from './flag-form.js';
import { errorLine, loadingLine, walletLink } from './parts.js';
import { reasonPrompt } from './reason-prompt.js';
import type { ViewContext } from './view-context.js';

export async function renderApprovals(container: HTMLElement, ctx: ViewContext): Promise<void> {
  const list = el('div', {}, loadingLine('the approval queue'));
  replaceChildren(
    container,
    el(
      'article',
      { class: 'approvals', 'aria-labelledby': 'detail-heading' },
      el(
        'header',
        { class: 'detail-header' },
        el('h2', { id: 'detail-heading', tabindex: '-1' }, 'Waiting for approval'),
      ),
      el(
        'p',
        { class: 'hint' },
        'False positives on every rule of a wallet take effect only when a second analyst approves them, and expire.',
      ),
      list,
    ),
  );
  container.querySelector<HTMLElement>('#detail-heading')?.focus();
  if (!ctx.session.can(SCOPES.flagsApprove)) {
    replaceChildren(list, el('p', {}, 'Your credential cannot approve flags (it lacks flags:approve).'));
    return;
  }
  await load();

  async function load(): Promise<void> {
    try {
      const { flags } = await ctx.session.client.get<{ flags: WalletFlagView[] }>('v1/flags', {
        status: 'pending-approval',
      });
      if (!ctx.isCurrent()) return;
      replaceChildren(
        list,
        flags.length === 0
          ? el('p', {}, 'Nothing is waiting.')
          : el('ul', { class: 'plain-list approval-list' }, flags.map(item)),
      );
    } catch (error) {
      if (ctx.isCurrent()) replaceChildren(list, errorLine('the approval queue', error));
    }
  }

  function item(flag: WalletFlagView): HTMLElement {
    const act = (verb: 'approve' | 'reject') => async (reason: string | undefined) => {
      await ctx.session.client.post(`v1/flags/${segment(flag.flagId)}/${verb}`, reason ? { reason } : {});
      void load();
      return verb === 'approve' ? 'Approved.' : 'Rejected.';
    };
    return el(
      'li',
      { class: 'approval', 'data-flag-id': flag.flagId },
      el('p', {}, el('strong', {}, describeFlag(flag)), ' on wallet ', walletLink(flag.walletId)),
      el('p', {}, `Requested by ${flag.createdBy} on ${localTime(flag.createdAt)}: “${flag.reason}”`),
      el(
        'div',
        { class: 'toolbar' },
        reasonPrompt({
          opener: 'Approve…',
          confirm: 'Approve',
          label: `Note for approving flag ${flag.flagId} (optional)`,
          required: false,
          act: act('approve'),
        }),
        reasonPrompt({
          opener: 'Reject…',
          confirm: 'Reject',
          label: `Why reject flag ${flag.flagId}?`,
          act: act('reject'),
        }),
      ),
    );
  }
}
