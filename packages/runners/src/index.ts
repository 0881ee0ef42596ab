/**
 * @tm/runners — one runner per pipeline stage, the `tm` CLI, HTTP servers, migrations, simulators and the demo.
 * @packageDocumentation
 */
export { buildProgram } from './cli.js';
