// Sensors and actuators over the drivers/io fakes: sim, GPIO, I2C and serial sources; GPIO/serial/event targets; failures degrade.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';
import { Actuator, Sensor } from '../../agent/config/schema.ts';
import { EventBus, type AgentEvents } from '../../agent/events.ts';
import { ActuatorBank, actuatorValue } from '../../agent/io/actuator-bank.ts';
import { SensorHub } from '../../agent/io/sensor-hub.ts';
import { SerialLinkPool } from '../../agent/io/serial-pool.ts';
import { silentLogger } from '../../agent/log.ts';
import { FakeHardware } from './helpers.ts';

const flush = () => new Promise((resolve) => setImmediate(resolve));

function hub(hardware: FakeHardware, sensors: unknown[]) {
  const samples: { id: string; value: number }[] = [];
  const h = new SensorHub(sensors.map((s) => Sensor.parse(s)), hardware, new SerialLinkPool(hardware), silentLogger, (sensor, value) => samples.push({ id: sensor.id, value }));
  return { h, samples };
}

describe('sensors', () => {
  it('samples a simulated signal on the sensor grid, with time counted from the sensor start', async () => {
    const clock = new ManualClock(5000);
    const { h, samples } = hub(new FakeHardware(clock), [{ id: 'level', sample_hz: 10, source: { type: 'sim', signal: { type: 'step', before: 0, after: 1, at_s: 0.5 } } }]);
    await h.start();
    clock.advance(1000);
    expect(samples.map((s) => s.value)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('applies scale and offset to an I2C register read on a fixed rate', async () => {
    const clock = new ManualClock();
    const hardware = new FakeHardware(clock);
    const device = await hardware.openI2CDevice(1, 0x48);
    device.setRegister(0x00, 0x01); // big-endian word 0x0190 = 400
    device.setRegister(0x01, 0x90);
    const { h, samples } = hub(hardware, [{ id: 'temp', sample_hz: 20, scale: 0.0625, offset: -5, source: { type: 'i2c', bus: 1, address: 0x48, register: 0, format: 'u16be' } }]);
    await h.start();
    clock.advance(100);
    await flush();
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples[0]).toEqual({ id: 'temp', value: 400 * 0.0625 - 5 });
  });

  it('reports a GPIO input as 1/0 on debounced edges (inverted with active_low)', async () => {
    const clock = new ManualClock();
    const hardware = new FakeHardware(clock);
    const { h, samples } = hub(hardware, [{ id: 'button', source: { type: 'gpio', line: 4, debounce_ms: 5, active_low: true } }]);
    await h.start();
    const line = hardware.lines.get('in:4')!;
    line.driveSequence([1, 0, 1]); // a bounce that settles high
    clock.advance(10);
    expect(samples.map((s) => s.value)).toEqual([1, 0]);
  });

  it('reads its field from JSON lines on a serial port, ignores other lines and counts bad values as errors', async () => {
    const hardware = new FakeHardware();
    const { h, samples } = hub(hardware, [{ id: 'temp', source: { type: 'serial', path: '/dev/ttyFAKE', field: 'temp' } }]);
    await h.start();
    const peer = hardware.cable('/dev/ttyFAKE').b;
    await peer.open();
    await peer.write({ temp: 21.5, humidity: 40 });
    await peer.write({ humidity: 41 });
    await peer.write({ temp: 'hot' });
    await flush();
    await flush();
    expect(samples).toEqual([{ id: 'temp', value: 21.5 }]);
    expect(h.list()[0]).toMatchObject({ state: 'running', samples: 1, errors: 1, last_error: expect.stringContaining('not a finite number') });
    await h.stop();
  });

  it('marks a sensor that cannot be opened as failed and keeps the others running', async () => {
    const clock = new ManualClock();
    const hardware = new FakeHardware(clock);
    hardware.brokenLines.add(4);
    const { h, samples } = hub(hardware, [
      { id: 'button', source: { type: 'gpio', line: 4 } },
      { id: 'wave', sample_hz: 10, source: { type: 'sim', signal: { type: 'sine' } } },
    ]);
    await h.start();
    clock.advance(200);
    expect(h.degraded).toBe(true);
    expect(h.list()).toEqual([
      expect.objectContaining({ id: 'button', state: 'failed', last_error: expect.stringContaining('EBUSY') }),
      expect.objectContaining({ id: 'wave', state: 'running' }),
    ]);
    expect(samples.length).toBe(3);
  });

  it('counts a value the brain refuses as a sensor error, never a crash', async () => {
    const clock = new ManualClock();
    const h = new SensorHub([Sensor.parse({ id: 'wave', sample_hz: 10, source: { type: 'sim', signal: { type: 'sine' } } })], new FakeHardware(clock), new SerialLinkPool(new FakeHardware(clock)), silentLogger, () => {
      throw new Error('refused');
    });
    await h.start();
    clock.advance(100);
    expect(h.list()[0]).toMatchObject({ samples: 2, errors: 2, last_error: 'refused' });
  });
});

describe('actuators', () => {
  function bank(hardware: FakeHardware, actuators: unknown[]) {
    const events = new EventBus();
    const seen: AgentEvents['actuator'][] = [];
    events.on('actuator', (e) => seen.push(e));
    const b = new ActuatorBank(actuators.map((a) => Actuator.parse(a)), hardware, new SerialLinkPool(hardware), events, silentLogger);
    return { b, seen };
  }

  it('maps a winner-take-all value to on/off with active_when', () => {
    expect(actuatorValue(0, { equals: 0 })).toBe(1);
    expect(actuatorValue(1, { equals: 0 })).toBe(0);
    expect(actuatorValue(null, { equals: 0 })).toBe(0);
    expect(actuatorValue(0.7, { at_least: 0.5 })).toBe(1);
    expect(actuatorValue(0.3, undefined)).toBe(0.3);
  });

  it('drives GPIO lines from the start in their safe state, only on change, and low again at stop', async () => {
    const hardware = new FakeHardware();
    const { b, seen } = bank(hardware, [
      { id: 'left_motor', sink: 'steer', active_when: { equals: 0 }, target: { type: 'gpio', line: 17 } },
      { id: 'right_motor', sink: 'steer', active_when: { equals: 1 }, target: { type: 'gpio', line: 27, active_low: true } },
    ]);
    await b.start();
    const left = hardware.lines.get('out:17')!;
    const right = hardware.lines.get('out:27')!;
    expect([left.writes, right.writes]).toEqual([[0], [1]]);
    b.apply('steer', 0);
    b.apply('steer', 0);
    b.apply('steer', 1);
    b.apply('other', 1);
    await flush();
    expect(left.writes).toEqual([0, 1, 0]);
    expect(right.writes).toEqual([1, 1, 0]); // active-low: "on" is a low level
    expect(seen.map((e) => `${e.id}=${e.value}`)).toEqual(['left_motor=1', 'right_motor=0', 'left_motor=0', 'right_motor=1']);
    await b.stop();
    expect(left.pinLevel).toBe(0);
    expect(right.pinLevel).toBe(1);
    await expect(left.write(1)).rejects.toMatchObject({ code: 'E_GPIO_CLOSED' });
  });

  it('writes serial actuators as JSON lines and shares the port with a sensor on the same path', async () => {
    const hardware = new FakeHardware();
    const pool = new SerialLinkPool(hardware);
    const events = new EventBus();
    const b = new ActuatorBank([Actuator.parse({ id: 'servo', target: { type: 'serial', path: '/dev/ttyACM0', field: 'angle' } })], hardware, pool, events, silentLogger);
    const h = new SensorHub([Sensor.parse({ id: 'distance', source: { type: 'serial', path: '/dev/ttyACM0', field: 'cm' } })], hardware, pool, silentLogger, () => undefined);
    await b.start();
    await h.start();
    expect(hardware.cables.size).toBe(1);
    const peer = hardware.cable('/dev/ttyACM0').b;
    await peer.open();
    const received: unknown[] = [];
    peer.onFrame((frame) => received.push(frame));
    b.apply('servo', 42);
    await flush();
    await flush();
    expect(received).toEqual([{ angle: 42 }]);
    await h.stop();
    await b.stop();
    await pool.closeAll();
  });

  it('marks an actuator whose line cannot be opened as failed, and the bank degraded', async () => {
    const hardware = new FakeHardware();
    hardware.brokenLines.add(17);
    const { b } = bank(hardware, [{ id: 'pump', target: { type: 'gpio', line: 17 } }, { id: 'log', target: { type: 'event' } }]);
    await b.start();
    expect(b.degraded).toBe(true);
    expect(b.list().map((a) => a.state)).toEqual(['failed', 'running']);
    expect(() => b.apply('pump', 1)).not.toThrow();
  });
});
