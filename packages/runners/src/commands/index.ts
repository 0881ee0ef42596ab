import type { Command } from 'commander';
import * as checkConfig from './check-config.js';
import * as demo from './demo.js';
import * as genCsv from './gen-csv.js';
import * as ingest from './ingest.js';
import * as migrate from './migrate.js';
import * as openapi from './openapi.js';
import * as operators from './operators.js';
import * as runAnalyser from './run-analyser.js';
import * as runArm from './run-arm.js';
import * as runCampaign from './run-campaign.js';
import * as runDialer from './run-dialer.js';
import * as runIntake from './run-intake.js';
import * as runKpi from './run-kpi.js';
import * as runSecurity from './run-security.js';
import * as runSimulators from './run-simulators.js';
import * as validateCsv from './validate-csv.js';

/**
 * Every `tm` command, one module each under commands/. A module exports `register(program)`, which adds its
 * command with its options and help; add one line here per module. Stage runners add themselves to the `run`
 * group through `commandGroup(program, 'run', ...)` (groups.ts).
 */
export function registerCommands(program: Command): void {
  checkConfig.register(program);
  demo.register(program);
  runSimulators.register(program);
  runAnalyser.register(program);
  runCampaign.register(program);
  runIntake.register(program);
  runSecurity.register(program);
  runArm.register(program);
  runDialer.register(program);
  runKpi.register(program);
  migrate.register(program);
  operators.register(program);
  openapi.register(program);
  validateCsv.register(program);
  genCsv.register(program);
  ingest.register(program);
}
