import { describe, expect, it } from 'vitest';
import { metricSum } from '../../../services/bench/src/detector-metrics.js';

const exposition = `# HELP flowguard_kafka_transactions_total Kafka transactions
# TYPE flowguard_kafka_transactions_total counter
flowguard_kafka_transactions_total{result="committed"} 120
flowguard_kafka_transactions_total{result="aborted"} 3
flowguard_state_conflicts_total 7
flowguard_state_conflicts_total_extra 99
`;

describe('metricSum', () => {
  it('sums only the samples whose labels match', () => {
    expect(metricSum(exposition, 'flowguard_kafka_transactions_total', 'result="committed"')).toBe(120);
    expect(metricSum(exposition, 'flowguard_kafka_transactions_total')).toBe(123);
  });

  it('does not take a longer metric name for the one asked', () => {
    expect(metricSum(exposition, 'flowguard_state_conflicts_total')).toBe(7);
  });
});
