// Another revision of FlowGuard to run next to this one: a detached git worktree of it with this
// checkout's node_modules linked in, removed again at the end unless the caller brought its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';

export interface RevisionCheckout {
  root: string;
  /** Short hash of the checked-out commit. */
  revision: string;
  remove(): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export function checkoutRevision(revision: string, existingRoot: string | null): RevisionCheckout {
  if (existingRoot) {
    return { root: existingRoot, revision: git(existingRoot, 'rev-parse', '--short', 'HEAD'), remove() {} };
  }
  const root = join(mkdtempSync(join(tmpdir(), 'flowguard-bench-')), 'before');
  git(REPO_ROOT, 'worktree', 'add', '--detach', root, revision);
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(root, 'node_modules'));
  return {
    root,
    revision: git(root, 'rev-parse', '--short', 'HEAD'),
    remove() {
      git(REPO_ROOT, 'worktree', 'remove', '--force', root);
    },
  };
}
