// The polled-register sensor reader on a manual clock and the register-map fake: timing, scaling, failures.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../drivers/io/clock.ts';
import { createFakeI2CDevice } from '../../drivers/io/i2c/fake-device.ts';
import { decodeRegister, startRegisterPoller } from '../../drivers/io/i2c/register-poller.ts';
import type { I2CDevice, Sample } from '../../drivers/io/types.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('register decoding', () => {
  it('decodes bytes and SMBus words in every format', () => {
    expect(decodeRegister(0xfe, 'u8')).toBe(254);
    expect(decodeRegister(0xfe, 's8')).toBe(-2);
    expect(decodeRegister(0x1234, 'u16le')).toBe(0x1234);
    expect(decodeRegister(0xff38, 's16le')).toBe(-200);
    expect(decodeRegister(0x3412, 'u16be')).toBe(0x1234);
    expect(decodeRegister(0x38ff, 's16be')).toBe(-200);
  });
});

describe('register poller', () => {
  it('reads at start and then once per period, scaling raw × scale + offset, stamped with the clock', async () => {
    const clock = new ManualClock(500);
    const device = createFakeI2CDevice({ address: 0x48, registers: { 0x00: 0x19, 0x01: 0x00 } });
    const samples: Sample[] = [];
    const poller = startRegisterPoller({ device, register: 0, format: 'u16le', scale: 0.5, offset: -1, periodMs: 100, channel: 'temp', clock, onSample: (s) => samples.push(s) });
    await settle();
    device.setRegister(0, 0x1b);
    clock.advance(100);
    await settle();
    clock.advance(100);
    await settle();
    poller.stop();
    expect(samples).toEqual([
      { channel: 'temp', value: 11.5, t_ms: 500 },
      { channel: 'temp', value: 12.5, t_ms: 600 },
      { channel: 'temp', value: 12.5, t_ms: 700 },
    ]);
    expect(poller.stats).toEqual({ samples: 3, errors: 0, overruns: 0 });
  });

  it('keeps polling through read failures, reporting each one', async () => {
    const clock = new ManualClock();
    const device = createFakeI2CDevice({ address: 0x48, registers: { 4: 7 } });
    const samples: Sample[] = [];
    const errors: Error[] = [];
    const poller = startRegisterPoller({ device, register: 4, periodMs: 10, channel: 'x', clock, onSample: (s) => samples.push(s), onError: (e) => errors.push(e) });
    await settle();
    device.present = false;
    clock.advance(10);
    await settle();
    clock.advance(10);
    await settle();
    device.present = true;
    clock.advance(10);
    await settle();
    poller.stop();
    expect(samples.map((s) => s.t_ms)).toEqual([0, 30]);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['E_I2C_IO', 'E_I2C_IO']);
    expect(poller.stats).toMatchObject({ samples: 2, errors: 2 });
  });

  it('skips the periods a slow read overran instead of bursting to catch up', async () => {
    const clock = new ManualClock();
    const fake = createFakeI2CDevice({ address: 0x48 });
    let holdNextRead = false;
    let finishRead: (() => void) | undefined;
    // A device whose read can be held open while the (manual) clock moves on, like a clock-stretching sensor.
    const device: I2CDevice = Object.assign(Object.create(fake) as I2CDevice, {
      readByte: (register: number) => {
        if (!holdNextRead) return fake.readByte(register);
        holdNextRead = false;
        return new Promise<number>((resolve) => {
          finishRead = () => resolve(fake.readByte(register));
        });
      },
    });
    const samples: Sample[] = [];
    const poller = startRegisterPoller({ device, register: 0, periodMs: 10, channel: 'x', clock, onSample: (s) => samples.push(s) });
    await settle();
    holdNextRead = true;
    clock.advance(10); // t=10: a read starts …
    clock.advance(35); // … and is still running at t=45, past the slots at 20, 30 and 40
    finishRead!();
    await settle();
    clock.advance(5); // t=50: back on the grid
    await settle();
    poller.stop();
    expect(samples.map((s) => s.t_ms)).toEqual([0, 10, 50]);
    expect(poller.stats.overruns).toBe(3);
  });

  it('stops reading after stop()', async () => {
    const clock = new ManualClock();
    const device = createFakeI2CDevice({ address: 0x48 });
    const poller = startRegisterPoller({ device, register: 0, periodMs: 10, channel: 'x', clock, onSample: () => undefined });
    await settle();
    poller.stop();
    clock.advance(100);
    await settle();
    expect(device.transfers).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects an unknown format (E_I2C_FORMAT) and a non-positive period (E_I2C_PERIOD)', () => {
    const device = createFakeI2CDevice({ address: 0x48 });
    const base = { device, register: 0, channel: 'x', onSample: () => undefined };
    expect(() => startRegisterPoller({ ...base, periodMs: 10, format: 'u32' as never })).toThrow(expect.objectContaining({ code: 'E_I2C_FORMAT' }));
    expect(() => startRegisterPoller({ ...base, periodMs: 0 })).toThrow(expect.objectContaining({ code: 'E_I2C_PERIOD' }));
  });
});
