// The only thing an unauthenticated visitor sees: a form for the API key or bearer token. Nothing is
// fetched before the server has accepted the credential.
import { el, replaceChildren } from '../dom.js';

export interface SignInOptions {
  /** Why the analyst is here again (the credential expired, was revoked, or they signed out). */
  notice: string | null;
  /** Tries the credential; resolves to the reason it was refused, or null when it was accepted. */
  signIn(credential: string): Promise<string | null>;
}

export function renderSignIn(root: HTMLElement, options: SignInOptions): void {
  const input = el('input', {
    id: 'credential',
    name: 'credential',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    'aria-describedby': 'credential-help',
  });
  const error = el('p', { id: 'sign-in-error', class: 'form-error', role: 'alert' });
  const button = el('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = el(
    'form',
    { class: 'sign-in-form', 'aria-labelledby': 'sign-in-heading', novalidate: true },
    el('h2', { id: 'sign-in-heading' }, 'Sign in'),
    el('label', { for: 'credential' }, 'API key or bearer token'),
    input,
    el(
      'p',
      { id: 'credential-help', class: 'hint' },
      'Kept in this browser tab only, and sent to this server alone. Closing the tab signs you out.',
    ),
    error,
    button,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const credential = input.value.trim();
    if (!credential) {
      showError('Enter your API key or token.');
      return;
    }
    button.disabled = true;
    error.textContent = '';
    void options.signIn(credential).then((refusal) => {
      button.disabled = false;
      if (refusal) showError(refusal);
    });
  });

  function showError(message: string): void {
    error.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'credential-help sign-in-error');
    input.focus();
  }

  replaceChildren(
    root,
    el(
      'main',
      { class: 'sign-in', id: 'main' },
      el('h1', {}, 'FlowGuard analyst console'),
      options.notice ? el('p', { class: 'notice', role: 'status' }, options.notice) : null,
      form,
    ),
  );
  input.focus();
}
