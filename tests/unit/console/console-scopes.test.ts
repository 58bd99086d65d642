import { expect, it } from 'vitest';
import { SCOPES as API_SCOPES } from '../../../services/detector/src/api/auth/scopes.js';
import { SCOPES as CONSOLE_SCOPES } from '../../../services/console/src/session.js';

it('asks only about scopes the API grants (a renamed scope would hide a screen for everyone)', () => {
  for (const scope of Object.values(CONSOLE_SCOPES)) expect(API_SCOPES).toContain(scope);
});
