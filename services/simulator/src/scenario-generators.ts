// The scenario generators by name, so `simulate` and `evaluate` can pick one with --generator.
import { generateAltScenario } from './scenario-alt.js';
import { generateScenario } from './scenario.js';
import type { GeneratorName, Scenario, ScenarioOverrides } from './scenario-types.js';

export const GENERATOR_OF: Record<GeneratorName, (overrides: ScenarioOverrides) => Scenario> = {
  main: generateScenario,
  alt: generateAltScenario,
};
