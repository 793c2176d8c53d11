// Fleet load benchmark: N simulated devices (real fleet links + SQLite outboxes, one child process) against one
// Mosquitto (TLS, passwords, ACL) and the controller in this process. Prints connect time, steady-state message
// rate and controller CPU, and the time a staged deployment (canary → steps) takes to reach every device.
// Usage: node --import tsx bench/fleet/load.ts [--devices 200] [--sample-ms 200] [--batch 2] [--measure-ms 10000]
//        [--canary 1] [--step 25] [--soak-ms 1000] [--json]
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { runLoad } from '../../test/fleet/fixtures/load-run.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '200' },
    'sample-ms': { type: 'string', default: '200' },
    batch: { type: 'string', default: '2' },
    'measure-ms': { type: 'string', default: '10000' },
    canary: { type: 'string', default: '1' },
    step: { type: 'string', default: '25' },
    'soak-ms': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});

const options = {
  devices: Number(values.devices),
  sampleMs: Number(values['sample-ms']),
  batchSize: Number(values.batch),
  measureMs: Number(values['measure-ms']),
  canary: Number(values.canary),
  stepPercent: Number(values.step),
  soakMs: Number(values['soak-ms']),
};
const figures = await runLoad(options, (line) => process.stderr.write(`  ${line}\n`));
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadavg: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version };
if (values.json) {
  process.stdout.write(`${JSON.stringify({ options, figures, machine })}\n`);
} else {
  const w = figures.window;
  const d = figures.deployment;
  process.stdout.write([
    `fleet load: ${figures.devices} devices, telemetry every ${options.sampleMs} ms in batches of ${options.batchSize} (${machine.cpus} CPUs, load ${machine.loadavg.join(' ')})`,
    `  connect: all online after ${figures.connectAllMs} ms`,
    `  steady state (${w.ms} ms): ${w.messagesPerSecond} msg/s at the controller (${w.telemetryBatchesPerSecond} telemetry batches/s sent), controller CPU ${w.controllerCpuPercent}%, devices process CPU ${w.devicesCpuPercent}%`,
    `  staged deployment (canary ${options.canary}, step ${options.stepPercent}%, soak ${options.soakMs} ms, gate spikes.rate_hz>0): ${d.state} in ${d.totalMs} ms, stages ${d.stages.join('/')}, done at ${d.stageDoneMs.join(', ')} ms; ${d.devicesOnNewBrain}/${figures.devices} devices on the new brain; controller CPU ${d.controllerCpuPercent}%`,
    `  controller totals: ${JSON.stringify(figures.controller)}`,
  ].join('\n') + '\n');
}
