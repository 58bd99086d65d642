import { describe, expect, it } from 'vitest';
import { Random } from '../../../services/simulator/src/random.js';

describe('Random', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 20 }, () => rng.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('keeps values in range and near the expected means', () => {
    const rng = new Random(1);
    const n = 20_000;
    const uniforms = Array.from({ length: n }, () => rng.next());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    const ints = Array.from({ length: n }, () => rng.int(3, 6));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
    const poisson = Array.from({ length: n }, () => rng.poisson(2.5));
    expect(poisson.reduce((a, b) => a + b, 0) / n).toBeCloseTo(2.5, 1);
    const logNormal = Array.from({ length: n }, () => rng.logNormal(Math.log(1500), 0.8)).sort(
      (a, b) => a - b,
    );
    expect(logNormal[n / 2]!).toBeGreaterThan(1400);
    expect(logNormal[n / 2]!).toBeLessThan(1600);
  });

  it('shuffles without losing items', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect([...new Random(3).shuffle([...items])].sort((a, b) => a - b)).toEqual(items);
  });
});
