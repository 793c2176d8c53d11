// An in-memory I2CDevice: a 256-byte register map with auto-increment, for simulation and tests above the driver.
import { HasnError } from '../../../core/errors.ts';
import type { I2CDevice } from '../types.ts';
import { checkAddress, checkBlockLength, checkBus, checkRegister, checkValue, closedError, deviceName } from './checks.ts';

export interface FakeI2CDeviceOptions {
  /** Default 1 (the Pi header bus). */
  bus?: number;
  address: number;
  /** Initial register contents: register → byte. Unlisted registers read 0. */
  registers?: Readonly<Record<number, number>>;
}

export class FakeI2CDevice implements I2CDevice {
  readonly bus: number;
  readonly address: number;
  /** Set false to make the device stop acknowledging, as if unplugged or powered down. */
  present = true;
  /** Transfers attempted (successful or not): lets tests see how often a poller reads. */
  transfers = 0;
  private readonly registers = new Uint8Array(256);
  private readonly name: string;
  private closed = false;

  constructor(options: FakeI2CDeviceOptions) {
    const bus = options.bus ?? 1;
    checkBus(bus);
    checkAddress(options.address);
    this.bus = bus;
    this.address = options.address;
    this.name = deviceName(bus, options.address);
    for (const [register, value] of Object.entries(options.registers ?? {})) this.setRegister(Number(register), value);
  }

  /** What the device's firmware would put in a register (a new measurement, a status bit). */
  setRegister(register: number, value: number): void {
    checkRegister(register, this.name);
    checkValue(value, this.name);
    this.registers[register] = value;
  }

  getRegister(register: number): number {
    checkRegister(register, this.name);
    return this.registers[register];
  }

  private async transfer<T>(action: () => T): Promise<T> {
    if (this.closed) throw closedError(this.name);
    this.transfers++;
    if (!this.present) throw new HasnError('E_I2C_IO', `no acknowledge from ${this.name} (device absent)`, { path: this.name });
    return action();
  }

  async readByte(register: number): Promise<number> {
    checkRegister(register, this.name);
    return this.transfer(() => this.registers[register]);
  }

  async readWord(register: number): Promise<number> {
    checkRegister(register, this.name);
    return this.transfer(() => this.registers[register] | (this.registers[(register + 1) & 0xff] << 8));
  }

  async readBlock(register: number, length: number): Promise<Uint8Array> {
    checkRegister(register, this.name);
    checkBlockLength(length, this.name);
    return this.transfer(() => Uint8Array.from({ length }, (_, i) => this.registers[(register + i) & 0xff]));
  }

  async writeByte(register: number, value: number): Promise<void> {
    checkRegister(register, this.name);
    checkValue(value, this.name);
    return this.transfer(() => {
      this.registers[register] = value;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function createFakeI2CDevice(options: FakeI2CDeviceOptions): FakeI2CDevice {
  return new FakeI2CDevice(options);
}
