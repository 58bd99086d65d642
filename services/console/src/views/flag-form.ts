// The analyst's decision on a wallet: confirmed, false positive (one rule, or every rule with a
// second analyst's approval) or blocked, always with a reason. POST /v1/wallets/:walletId/flags.
import type { WalletFlag } from '../../../../schemas/wallet-flag.js';
import { segment } from '../api-client.js';
import { el, uniqueId } from '../dom.js';
import { SCOPES } from '../session.js';
import { reasonOf, section } from './parts.js';
import type { ViewContext } from './view-context.js';

const ALL_RULES = '*';
const MIN_REASON = 3;

export interface FlagFormOptions {
  walletId: string;
  /** The rules a false positive can silence one by one (the alert's rules first). */
  rules: string[];
  onRecorded(flag: WalletFlag): void;
}

export function flagFormSection(ctx: ViewContext, options: FlagFormOptions): HTMLElement {
  if (!ctx.session.can(SCOPES.flagsWrite)) {
    return section(
      'Decision',
      'decision',
      el('p', {}, 'Your credential cannot record decisions (it lacks flags:write).'),
    );
  }
  const name = uniqueId('kind');
  const kindChoices = [
    ['confirmed', 'Confirmed', 'the alert is right: keep watching this wallet'],
    ['false-positive', 'False positive', 'silence a rule on this wallet'],
    ['blocked', 'Blocked', 'the wallet is blocked; its payers are remembered as donors'],
  ] as const;
  const kinds = kindChoices.map(([value, label, hint]) =>
    radio(name, value, label, hint, value === 'confirmed'),
  );

  const scopeName = uniqueId('silence');
  const ruleChoices = [
    ...options.rules.map((rule) =>
      radio(scopeName, rule, `Rule ${rule} only`, 'in force at once', rule === options.rules[0]),
    ),
    radio(
      scopeName,
      ALL_RULES,
      'Every rule of this wallet',
      'needs a second analyst’s approval, and expires',
      options.rules.length === 0,
    ),
  ];
  const silence = el(
    'fieldset',
    { class: 'silence', hidden: true },
    el('legend', {}, 'Silence'),
    ruleChoices.map((choice) => choice.wrapper),
  );

  const reasonId = uniqueId('reason');
  const reasonError = el('p', { id: `${reasonId}-error`, class: 'form-error' });
  const reason = el('textarea', {
    id: reasonId,
    name: 'reason',
    rows: 3,
    required: true,
    minlength: MIN_REASON,
    maxlength: 2000,
    'aria-describedby': `${reasonId}-hint`,
  });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Record decision');
  const outcome = el('p', { class: 'outcome', role: 'status' });

  const form = el(
    'form',
    { class: 'flag-form', novalidate: true, 'aria-label': `Decision on wallet ${options.walletId}` },
    el(
      'fieldset',
      { class: 'kinds' },
      el('legend', {}, 'Outcome'),
      kinds.map((k) => k.wrapper),
    ),
    silence,
    el('label', { for: reasonId }, 'Reason (required)'),
    reason,
    el('p', { id: `${reasonId}-hint`, class: 'hint' }, 'Recorded in the audit trail with your name.'),
    reasonError,
    submit,
    outcome,
  );

  const chosenKind = () => kinds.find((k) => k.input.checked)?.input.value ?? 'confirmed';
  form.addEventListener('change', () => {
    silence.hidden = chosenKind() !== 'false-positive';
  });
  reason.addEventListener('input', () => {
    if (reason.value.trim().length >= MIN_REASON) clearReasonError();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (text.length < MIN_REASON) {
      reasonError.textContent = `Give a reason of at least ${MIN_REASON} characters.`;
      reason.setAttribute('aria-invalid', 'true');
      reason.setAttribute('aria-describedby', `${reasonId}-hint ${reasonId}-error`);
      reason.focus();
      return;
    }
    const kind = chosenKind();
    const ruleId =
      kind === 'false-positive' ? ruleChoices.find((c) => c.input.checked)?.input.value : undefined;
    const body = {
      kind,
      reason: text,
      ...(ruleId && ruleId !== ALL_RULES ? { ruleId } : {}),
    };
    submit.disabled = true;
    outcome.textContent = 'Recording…';
    ctx.session.client
      .post<WalletFlag>(`v1/wallets/${segment(options.walletId)}/flags`, body)
      .then((flag) => {
        outcome.textContent =
          flag.status === 'pending-approval'
            ? `Requested: flag ${flag.flagId} waits for a second analyst’s approval.`
            : `Recorded: ${describeFlag(flag)} (flag ${flag.flagId}).`;
        reason.value = '';
        options.onRecorded(flag);
      })
      .catch((error: unknown) => {
        outcome.textContent = `Not recorded: ${reasonOf(error)}`;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });

  function clearReasonError(): void {
    reasonError.textContent = '';
    reason.removeAttribute('aria-invalid');
    reason.setAttribute('aria-describedby', `${reasonId}-hint`);
  }

  return section('Decision', 'decision', form);
}

export function describeFlag(flag: Pick<WalletFlag, 'kind' | 'ruleId'>): string {
  if (flag.kind !== 'false-positive') return flag.kind;
  return flag.ruleId ? `false positive on ${flag.ruleId}` : 'false positive on every rule';
}

function radio(name: string, value: string, label: string, hint: string, checked: boolean) {
  const id = uniqueId('choice');
  const input = el('input', { type: 'radio', id, name, value, checked, 'aria-describedby': `${id}-hint` });
  const wrapper = el(
    'div',
    { class: 'choice' },
    input,
    el('label', { for: id }, label),
    el('span', { id: `${id}-hint`, class: 'hint' }, hint),
  );
  return { input, wrapper };
}
