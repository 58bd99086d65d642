// Two counterparty sets are equal when they hold the same counterparties with the same figures in the
// same order: how their slots and spare room lie is theirs (a decoded set is sized exactly, one that
// grew event by event has room to spare).
import { expect } from 'vitest';
import { CounterpartySet } from '../../services/detector/src/state/counterparty-set.js';

expect.addEqualityTesters([
  function counterpartySetsEqual(a: unknown, b: unknown) {
    if (!(a instanceof CounterpartySet) || !(b instanceof CounterpartySet)) return undefined;
    return this.equals([...a], [...b]);
  },
]);
