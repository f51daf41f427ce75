// Scenarios: the format, the loader, the runner and the reports. Imports hil through its index only.
export { defineScenario, scenarioSchema, type Scenario, type ScenarioInput, type Step } from './engine/schema.js';
export { loadScenarioFile, loadScenarios, loadScenarioSet, type BrokenScenario, type LoadedScenario } from './engine/loader.js';
export { runScenario, brokenResult, check, type ScenarioResult, type StepResult, type RunOptions } from './engine/runner.js';
export { jsonReport, junitReport, reportSpecProblem, writeReports } from './engine/reports.js';
export { importRecording } from './engine/import.js';
export { diffResults, type DiffReport, type ObservationDifference } from './engine/diff.js';
export { htmlReport } from './engine/html-report.js';
