// The real I2CDevice on `i2c-bus` (the only module importing it): SMBus transfers through /dev/i2c-<bus>.
//
// The bus number is always a parameter: it is 1 on the Pi header by default but moves with other overlays on a
// Pi 5. `i2c-bus` is imported lazily so its native addon loads only when a device is opened.
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { PromisifiedBus } from 'i2c-bus';
import { HasnError } from '../../../core/errors.ts';
import type { I2CDevice } from '../types.ts';
import { checkAddress, checkBlockLength, checkBus, checkRegister, checkValue, closedError, deviceName } from './checks.ts';

export interface I2cBusDeviceOptions {
  /** N of /dev/i2c-N (from config; `dtparam=i2c_arm=on` gives bus 1 on the header). */
  bus: number;
  /** 7-bit device address, e.g. 0x48. */
  address: number;
  /** Talk to the address even if a kernel driver has claimed it (I2C_SLAVE_FORCE); default false. */
  forceAccess?: boolean;
}

class I2cBusDevice implements I2CDevice {
  private closed = false;
  private readonly name: string;

  constructor(
    readonly bus: number,
    readonly address: number,
    private readonly handle: PromisifiedBus,
  ) {
    this.name = deviceName(bus, address);
  }

  private async transfer<T>(what: string, register: number, action: () => Promise<T>): Promise<T> {
    if (this.closed) throw closedError(this.name);
    try {
      return await action();
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const hint = code === 'ENXIO' || code === 'EREMOTEIO' ? ' (no acknowledge: wrong address, or the device is unpowered or unplugged)' : '';
      throw new HasnError('E_I2C_IO', `${what} of register 0x${register.toString(16)} on ${this.name} failed: ${(cause as Error).message}${hint}`, {
        path: this.name,
        cause,
      });
    }
  }

  async readByte(register: number): Promise<number> {
    checkRegister(register, this.name);
    return this.transfer('read byte', register, () => this.handle.readByte(this.address, register));
  }

  async readWord(register: number): Promise<number> {
    checkRegister(register, this.name);
    return this.transfer('read word', register, () => this.handle.readWord(this.address, register));
  }

  async readBlock(register: number, length: number): Promise<Uint8Array> {
    checkRegister(register, this.name);
    checkBlockLength(length, this.name);
    return this.transfer('block read', register, async () => {
      const { bytesRead, buffer } = await this.handle.readI2cBlock(this.address, register, length, Buffer.alloc(length));
      if (bytesRead !== length) throw new Error(`short read: ${bytesRead} of ${length} bytes`);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, length).slice();
    });
  }

  async writeByte(register: number, value: number): Promise<void> {
    checkRegister(register, this.name);
    checkValue(value, this.name);
    return this.transfer('write byte', register, () => this.handle.writeByte(this.address, register, value));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

/** Opens /dev/i2c-<bus> for one device; fails with E_I2C_OPEN when the bus node is missing or not accessible. */
export async function openI2cBusDevice(options: I2cBusDeviceOptions): Promise<I2CDevice> {
  checkBus(options.bus);
  checkAddress(options.address);
  const i2c = await import('i2c-bus');
  const path = `/dev/i2c-${options.bus}`;
  let handle: PromisifiedBus;
  try {
    await access(path, constants.R_OK | constants.W_OK);
    handle = await i2c.openPromisified(options.bus, { forceAccess: options.forceAccess ?? false });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint =
      code === 'ENOENT' ? ' (is I2C enabled, e.g. dtparam=i2c_arm=on, and is the bus number right?)' : code === 'EACCES' ? ' (is the service user in the i2c group?)' : '';
    throw new HasnError('E_I2C_OPEN', `cannot open ${path}: ${(cause as Error).message}${hint}`, { path, cause });
  }
  return new I2cBusDevice(options.bus, options.address, handle);
}
