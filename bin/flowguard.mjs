#!/usr/bin/env node
// The `flowguard` command (package.json "bin"): runs the TypeScript CLI through tsx, from any directory.
import { register } from 'tsx/esm/api';

register();
await import('../services/detector/src/cli/flowguard.ts');
