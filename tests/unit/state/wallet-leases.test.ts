// Two chunks of one process never work on the same wallet at once: the second waits for the first's
// release, takes all its wallets together, and chunks on other wallets do not wait at all. Together
// they hold no more wallets than the bound, except one chunk larger than it, alone.
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

  it('makes a chunk wait for room beside the wallets held, and lets one larger than the bound run alone', async () => {
    const leases = new WalletLeases(4);
    const first = await leases.acquire(['a', 'b', 'c']);
    let second: Awaited<ReturnType<WalletLeases['acquire']>> | null = null;
    void leases.acquire(['d', 'e']).then((lease) => (second = lease));
    await tick();
    // Disjoint wallets, but 3 + 2 is more than 4: it waits.
    expect(second).toBeNull();
    expect(leases.size).toBe(3);
    first.release();
    await tick();
    expect([...second!.held].sort()).toEqual(['d', 'e']);
    second!.release();
    // Six wallets are more than the bound, and nothing else is held: granted at once.
    const large = await leases.acquire(['u', 'v', 'w', 'x', 'y', 'z']);
    expect(leases.size).toBe(6);
    large.release();
    expect(leases.size).toBe(0);
  });

  it('serves chunks waiting for room in arrival order: a small one does not pass a large one', async () => {
    const leases = new WalletLeases(4);
    const holder = await leases.acquire(['a', 'b']);
    const order: string[] = [];
    const large = leases.acquire(['c', 'd', 'e']).then((l) => (order.push('large'), l));
    // One wallet would fit beside the holder's two, but the large chunk came first.
    const small = leases.acquire(['f']).then((l) => (order.push('small'), l));
    await tick();
    expect(order).toEqual([]);
    holder.release();
    (await large).release();
    (await small).release();
    expect(order).toEqual(['large', 'small']);
    expect(leases.size).toBe(0);
  });
});
