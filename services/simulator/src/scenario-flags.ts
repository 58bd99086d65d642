// Command-line flags that shape a scenario, shared by `simulate` and `evaluate` (each validates them
// with its own defaults).
export const SCENARIO_FLAG_OPTIONS = {
  seed: { type: 'string' },
  days: { type: 'string' },
  'warm-up-days': { type: 'string' },
  wallets: { type: 'string' },
  duplicates: { type: 'string' },
  reorder: { type: 'string' },
} as const;
