// Runs the I2CDevice contract on the register-map fake and on a real bus when named; i2c-bus adapter open errors.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createFakeI2CDevice } from '../../drivers/io/i2c/fake-device.ts';
import { openI2cBusDevice } from '../../drivers/io/i2c/i2c-bus-device.ts';
import { i2cDeviceContract } from './contracts/i2c-device.contract.ts';

describe('I2CDevice contract: in-memory register map', () => {
  const registers = { 0x00: 0x34, 0x01: 0x12, 0x0f: 0xa1, 0x10: 0xff };
  i2cDeviceContract({
    bus: 1,
    address: 0x48,
    open: async () => createFakeI2CDevice({ bus: 1, address: 0x48, registers }),
    known: Object.entries(registers).map(([register, value]) => ({ register: Number(register), value })),
    scratchRegister: 0x20,
  });

  it('stops acknowledging (E_I2C_IO) while not present, and answers again when back', async () => {
    const device = createFakeI2CDevice({ address: 0x48, registers: { 3: 9 } });
    device.present = false;
    await expect(device.readByte(3)).rejects.toMatchObject({ code: 'E_I2C_IO', path: 'i2c-1@0x48' });
    device.present = true;
    expect(await device.readByte(3)).toBe(9);
  });
});

describe('i2c-bus adapter without hardware', () => {
  const unusedBus = [97, 98, 99].find((n) => !existsSync(`/dev/i2c-${n}`))!;

  it('fails with E_I2C_OPEN naming /dev/i2c-N when the bus does not exist (the real i2c-bus open)', async () => {
    await expect(openI2cBusDevice({ bus: unusedBus, address: 0x48 })).rejects.toMatchObject({ code: 'E_I2C_OPEN', path: `/dev/i2c-${unusedBus}` });
  });

  it('rejects a reserved address (E_I2C_ADDRESS) or a bad bus number (E_I2C_BUS) before opening anything', async () => {
    await expect(openI2cBusDevice({ bus: 1, address: 0x78 })).rejects.toMatchObject({ code: 'E_I2C_ADDRESS' });
    await expect(openI2cBusDevice({ bus: 1, address: 0x02 })).rejects.toMatchObject({ code: 'E_I2C_ADDRESS' });
    await expect(openI2cBusDevice({ bus: -1, address: 0x48 })).rejects.toMatchObject({ code: 'E_I2C_BUS' });
  });
});

// Real bus: HASN_TEST_I2C_BUS (N of /dev/i2c-N) and HASN_TEST_I2C_ADDR (e.g. 0x48) name a device that answers.
// Optional: HASN_TEST_I2C_KNOWN="reg=value,reg=value" (fixed registers such as a chip ID), HASN_TEST_I2C_SCRATCH_REG
// (a register the test may overwrite and restore). Without them only the shape and argument checks run.
const busEnv = process.env.HASN_TEST_I2C_BUS;
const addrEnv = process.env.HASN_TEST_I2C_ADDR;
describe.skipIf(busEnv === undefined || addrEnv === undefined)('I2CDevice contract: i2c-bus on a real bus (requires HASN_TEST_I2C_BUS and HASN_TEST_I2C_ADDR)', () => {
  const bus = Number(busEnv);
  const address = Number(addrEnv);
  const known = (process.env.HASN_TEST_I2C_KNOWN ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => {
      const [register, value] = pair.split('=').map(Number);
      return { register, value };
    });
  const scratch = process.env.HASN_TEST_I2C_SCRATCH_REG;
  i2cDeviceContract({
    bus,
    address,
    open: () => openI2cBusDevice({ bus, address }),
    known,
    ...(scratch === undefined ? {} : { scratchRegister: Number(scratch) }),
  });
});
