// Two chunks of one process never work on the same wallet at once: the second waits for the first's
// release, takes all its wallets together, and chunks on other wallets do not wait at all.
import { describe, expect, it } from 'vitest';
import { WalletLeases } from '../../../services/detector/src/state/wallet-leases.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('wallet leases', () => {
  it('makes a chunk wait for a wallet another chunk holds, and grants it on release', async () => {
    const leases = new WalletLeases();
    const first = await leases.acquire(['a', 'b']);
    let second: Awaited<ReturnType<WalletLeases['acquire']>> | null = null;
    void leases.acquire(['b', 'c']).then((lease) => (second = lease));
    const other = await leases.acquire(['d']);
    await tick();
    expect(second).toBeNull();
    first.release();
    await tick();
    expect(second).not.toBeNull();
    expect([...second!.held].sort()).toEqual(['b', 'c']);
    other.release();
    second!.release();
    expect(leases.size).toBe(0);
  });

  it('serves overlapping waiters in arrival order, and lets a disjoint one pass', async () => {
    const leases = new WalletLeases();
    const holder = await leases.acquire(['a']);
    const order: string[] = [];
    const big = leases.acquire(['a', 'b']).then((l) => (order.push('big'), l));
    const small = leases.acquire(['b']).then((l) => (order.push('small'), l));
    // 'c' overlaps nobody: it is served at once even though others wait.
    const free = await leases.acquire(['c']);
    order.push('free');
    holder.release();
    (await big).release();
    (await small).release();
    free.release();
    expect(order).toEqual(['free', 'big', 'small']);
    expect(leases.size).toBe(0);
  });

  it('extends a lease only with free wallets, never waiting', async () => {
    const leases = new WalletLeases();
    const a = await leases.acquire(['a']);
    const b = await leases.acquire(['b']);
    expect(a.extend(['b', 'c'])).toEqual(['c']);
    expect([...a.held].sort()).toEqual(['a', 'c']);
    a.release();
    a.release(); // a second release gives nothing back twice
    expect(b.extend(['a', 'c'])).toEqual(['a', 'c']);
    b.release();
    expect(leases.size).toBe(0);
  });
});
