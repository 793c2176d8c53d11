// Simulation mode: the preset behind `hasn agent --sim`, and how any config is made to run without hardware.
//
// The preset runs the sensorimotor example with simulated light and proximity sensors and a reward rule, data
// in ./data, the dashboard on 127.0.0.1:8080. With simulation on, every spec input gets a simulated sensor if
// none is configured, hardware sensors are replaced by simulated ones and actuators become event-only: the same
// runtime, loop, API and store run as on a device, only the drivers differ.
import { fileURLToPath } from 'node:url';
import type { NetworkSpec } from '../../core/spec/schema.ts';
import type { Actuator, AgentConfig, AgentConfigInput, Sensor } from './schema.ts';
import { actuatorSink, sensorChannel } from './schema.ts';

/** The example brain `npm start` runs. */
export const SENSORIMOTOR_SPEC = fileURLToPath(new URL('../../examples/sensorimotor.json', import.meta.url));

/** The base layer of `--sim` (a config file, env and flags override it). */
export const SIMULATION_PRESET: AgentConfigInput = {
  device: { id: 'sim-agent', name: 'simulated agent' },
  data_dir: './data',
  simulation: true,
  http: { host: '127.0.0.1', port: 8080, anonymous_role: 'operator' },
  snapshots: { interval_s: 60 },
};

/** Sensors, actuators and reward for the sensorimotor example, used when the sim config names no other brain. */
export const SENSORIMOTOR_SIMULATION: Pick<AgentConfigInput, 'sensors' | 'actuators' | 'reward'> = {
  sensors: [
    { id: 'light_left', source: { type: 'sim', signal: { type: 'sine', amplitude: 0.45, offset: 0.5, period_s: 8, phase_deg: 0 }, noise_sd: 0.03, seed: 1 } },
    { id: 'light_right', source: { type: 'sim', signal: { type: 'sine', amplitude: 0.45, offset: 0.5, period_s: 8, phase_deg: 180 }, noise_sd: 0.03, seed: 2 } },
    { id: 'proximity', source: { type: 'sim', signal: { type: 'square', low: 0.2, high: 0.8, period_s: 6, duty: 0.5 }, noise_sd: 0.05, seed: 3 } },
  ],
  actuators: [
    { id: 'left_motor', sink: 'steer', active_when: { equals: 0 }, target: { type: 'event' } },
    { id: 'right_motor', sink: 'steer', active_when: { equals: 1 }, target: { type: 'event' } },
  ],
  // Reward prediction error (prediction_rate): without it reward-modulated STDP drifts into always steering one way.
  reward: { rules: [{ type: 'argmax', output: 'steer', sensors: ['light_left', 'light_right'], reward: 1, penalty: 1, interval_ms: 250, prediction_rate: 0.05 }] },
};

/** A simulated stand-in for a sensor: a slow sine with a phase of its own, so channels differ on the dashboard. */
function simulatedSensor(id: string, channel: string, index: number, sampleHz = 50): Sensor {
  return {
    id, channel, sample_hz: sampleHz, scale: 1, offset: 0,
    source: {
      type: 'sim',
      signal: { type: 'sine', amplitude: 0.4, offset: 0.5, period_s: 6 + 2 * index, phase_deg: (index * 137) % 360 },
      noise_sd: 0.02,
      seed: index + 1,
    },
  };
}

/**
 * The sensors and actuators the agent actually opens for `spec`: the configured ones, and in simulation mode
 * hardware sources swapped for simulated ones, a simulated sensor for every input channel without a sensor,
 * and event-only actuators.
 */
export function effectiveIo(config: AgentConfig, spec: NetworkSpec | null): { sensors: Sensor[]; actuators: Actuator[] } {
  if (!config.simulation) return { sensors: [...config.sensors], actuators: [...config.actuators] };
  const sensors = config.sensors.map((sensor, i) =>
    sensor.source.type === 'sim' ? sensor : simulatedSensor(sensor.id, sensorChannel(sensor), i, sensor.sample_hz));
  const covered = new Set(sensors.map(sensorChannel));
  for (const input of spec?.inputs ?? []) {
    if (covered.has(input.channel)) continue;
    covered.add(input.channel);
    sensors.push(simulatedSensor(input.channel, input.channel, sensors.length));
  }
  const actuators: Actuator[] = config.actuators.map((a) => ({ ...a, target: { type: 'event' } }));
  const served = new Set(actuators.map(actuatorSink));
  for (const output of spec?.outputs ?? []) {
    if (served.has(output.sink)) continue;
    served.add(output.sink);
    actuators.push({ id: output.sink, sink: output.sink, target: { type: 'event' } });
  }
  return { sensors, actuators };
}
