// Entry point: shows the sign-in until the server accepts a credential, then the console; any 401
// afterwards (expired, revoked) returns to the sign-in and says why.
import { startConsole } from './console-app.js';
import { forgetCredential, openSession, storedCredential } from './session.js';
import { reasonOf } from './views/parts.js';
import { renderSignIn } from './views/sign-in-view.js';

const root = document.getElementById('app');
// The console is served at <base>console/ and the API lives at <base>v1/.
const base = new URL('../', location.href).pathname;
let stop: (() => void) | null = null;

function showSignIn(notice: string | null): void {
  stop?.();
  stop = null;
  if (!root) return;
  renderSignIn(root, {
    notice,
    signIn: async (credential) => {
      try {
        const session = await openSession(base, credential, (reason) => signOut(`Signed out: ${reason}`));
        stop = startConsole(root, session, () => signOut('Signed out.'));
        return null;
      } catch (error) {
        return reasonOf(error);
      }
    },
  });
}

function signOut(notice: string): void {
  forgetCredential();
  showSignIn(notice);
}

async function boot(): Promise<void> {
  const credential = storedCredential();
  if (!credential || !root) {
    showSignIn(null);
    return;
  }
  try {
    const session = await openSession(base, credential, (reason) => signOut(`Signed out: ${reason}`));
    stop = startConsole(root, session, () => signOut('Signed out.'));
  } catch (error) {
    forgetCredential();
    showSignIn(`Please sign in again: ${reasonOf(error)}`);
  }
}

void boot();
