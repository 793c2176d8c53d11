// The I2CDevice contract: every implementation (register-map fake, i2c-bus on a real bus) passes it.
import { afterEach, describe, expect, it } from 'vitest';
import type { I2CDevice } from '../../../drivers/io/types.ts';

export interface I2CDeviceSubject {
  bus: number;
  address: number;
  open(): Promise<I2CDevice>;
  /** Registers whose contents are fixed and known (a fake's map; on hardware, e.g. a chip-ID register). */
  known: ReadonlyArray<{ register: number; value: number }>;
  /** A register the test may overwrite (hardware: only when the operator names one). */
  scratchRegister?: number;
}

export function i2cDeviceContract(subject: I2CDeviceSubject): void {
  const opened: I2CDevice[] = [];
  afterEach(async () => {
    for (const device of opened.splice(0)) await device.close();
  });
  async function open(): Promise<I2CDevice> {
    const device = await subject.open();
    opened.push(device);
    return device;
  }
  const knownPair = subject.known.find((k) => subject.known.some((other) => other.register === k.register + 1));
  const knownRun = subject.known.filter((k) => subject.known.some((o) => o.register === k.register + 1) || subject.known.some((o) => o.register === k.register - 1));

  it('reports the bus and address it was opened on', async () => {
    const device = await open();
    expect([device.bus, device.address]).toEqual([subject.bus, subject.address]);
  });

  it('reads bytes in 0..255 and words in 0..65535', async () => {
    const device = await open();
    const byte = await device.readByte(0);
    const word = await device.readWord(0);
    expect(Number.isInteger(byte) && byte >= 0 && byte <= 255).toBe(true);
    expect(Number.isInteger(word) && word >= 0 && word <= 0xffff).toBe(true);
  });

  it('reads a block of exactly the requested length', async () => {
    const device = await open();
    for (const length of [1, 7, 32]) {
      const block = await device.readBlock(0, length);
      expect(block).toBeInstanceOf(Uint8Array);
      expect(block.length).toBe(length);
    }
  });

  it.skipIf(subject.known.length === 0)('reads the known contents of known registers', async () => {
    const device = await open();
    for (const { register, value } of subject.known) expect(await device.readByte(register)).toBe(value);
  });

  it.skipIf(knownPair === undefined)('reads a word little-endian (SMBus): low byte at the register, high byte at register+1', async () => {
    const device = await open();
    const low = knownPair!.value;
    const high = subject.known.find((k) => k.register === knownPair!.register + 1)!.value;
    expect(await device.readWord(knownPair!.register)).toBe(low | (high << 8));
  });

  it.skipIf(knownRun.length < 2)('reads a block as consecutive registers', async () => {
    const device = await open();
    const start = knownPair!.register;
    const block = await device.readBlock(start, 2);
    expect(Array.from(block)).toEqual([await device.readByte(start), await device.readByte(start + 1)]);
  });

  it.skipIf(subject.scratchRegister === undefined)('reads back a byte it wrote', async () => {
    const device = await open();
    const register = subject.scratchRegister!;
    const original = await device.readByte(register);
    const probe = original ^ 0x5a;
    await device.writeByte(register, probe);
    expect(await device.readByte(register)).toBe(probe);
    await device.writeByte(register, original);
  });

  it('rejects bad registers, values and lengths before any transfer', async () => {
    const device = await open();
    await expect(device.readByte(256)).rejects.toMatchObject({ code: 'E_I2C_REGISTER' });
    await expect(device.readWord(-1)).rejects.toMatchObject({ code: 'E_I2C_REGISTER' });
    await expect(device.readBlock(1.5, 2)).rejects.toMatchObject({ code: 'E_I2C_REGISTER' });
    await expect(device.writeByte(0, 256)).rejects.toMatchObject({ code: 'E_I2C_VALUE' });
    await expect(device.readBlock(0, 0)).rejects.toMatchObject({ code: 'E_I2C_LENGTH' });
    await expect(device.readBlock(0, 33)).rejects.toMatchObject({ code: 'E_I2C_LENGTH' });
  });

  describe('after close()', () => {
    it('rejects every transfer with E_I2C_CLOSED, and a second close() is harmless', async () => {
      const device = await subject.open();
      await device.close();
      await device.close();
      await expect(device.readByte(0)).rejects.toMatchObject({ code: 'E_I2C_CLOSED' });
      await expect(device.readWord(0)).rejects.toMatchObject({ code: 'E_I2C_CLOSED' });
      await expect(device.readBlock(0, 1)).rejects.toMatchObject({ code: 'E_I2C_CLOSED' });
      await expect(device.writeByte(0, 1)).rejects.toMatchObject({ code: 'E_I2C_CLOSED' });
    });
  });
}
