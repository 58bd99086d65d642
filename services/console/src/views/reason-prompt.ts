// An inline "why?" form for actions that need a reason (revoke, reject, remove from the watchlist):
// it opens under the button, takes the reason, and closes when done or cancelled.
import { el, uniqueId } from '../dom.js';
import { reasonOf } from './parts.js';

export interface ReasonPromptOptions {
  /** The button that opens the prompt, e.g. "Revoke…". */
  opener: string;
  /** The button that confirms, e.g. "Revoke flag". */
  confirm: string;
  label: string;
  /** A reason is required (at least 3 characters) unless this is false. */
  required?: boolean;
  act(reason: string | undefined): Promise<string>;
}

export function reasonPrompt(options: ReasonPromptOptions): HTMLElement {
  const required = options.required ?? true;
  const id = uniqueId('why');
  const input = el('input', { id, type: 'text', maxlength: 2000, required, autocomplete: 'off' });
  const status = el('span', { class: 'outcome', role: 'status' });
  const confirm = el('button', { type: 'submit' }, options.confirm);
  const cancel = el('button', { type: 'button' }, 'Cancel');
  const form = el(
    'form',
    { class: 'reason-prompt', hidden: true, novalidate: true },
    el('label', { for: id }, options.label),
    input,
    confirm,
    cancel,
  );
  const open = el('button', { type: 'button', 'aria-expanded': 'false' }, options.opener);

  open.addEventListener('click', () => {
    form.hidden = false;
    open.setAttribute('aria-expanded', 'true');
    input.focus();
  });
  cancel.addEventListener('click', close);
  form.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    close();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (required && text.length < 3) {
      status.textContent = 'Give a reason of at least 3 characters.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    confirm.disabled = true;
    status.textContent = 'Working…';
    options
      .act(text || undefined)
      .then((done) => {
        status.textContent = done;
        form.hidden = true;
        open.setAttribute('aria-expanded', 'false');
      })
      .catch((error: unknown) => {
        status.textContent = `Refused: ${reasonOf(error)}`;
      })
      .finally(() => {
        confirm.disabled = false;
      });
  });

  function close(): void {
    form.hidden = true;
    open.setAttribute('aria-expanded', 'false');
    open.focus();
  }

  return el('div', { class: 'reason-action' }, open, form, status);
}
