// Load tests: profiles in k6's shape, the engine, request flows through the goform SDK client, summaries, targets.
export { defineLoadProfile, loadProfileSchema, flowNames, type LoadProfile, type LoadProfileInput, type ExecutorConfig } from './schema.js';
export { runLoad, parseThresholds, stageValue, WALL_CLOCK, type FlowRunner, type LoadClock, type LoadSummary, type Progress, type RunLoadOptions, type LoadTargetUrls } from './engine.js';
export { jsonSummary, junitSummary, k6SummaryData, textHeader, textSummary, writeSummaries, summarySchema, type K6SummaryData } from './summary.js';
export { openLoadTarget, REAL_ROUTER_LIMITS, type LoadTarget } from './targets.js';
export { HttpConnection } from './http.js';
export { parseThreshold, Registry } from './metrics.js';

import { loadYamlFile } from '../engine/loader.js';
import { loadProfileSchema, type LoadProfile } from './schema.js';

/** A load profile file, validated; errors name file:line and the field. */
export function loadProfileFile(file: string): LoadProfile {
  return loadYamlFile(file, loadProfileSchema, 'load');
}
