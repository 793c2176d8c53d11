// Argument checks shared by every I2CDevice implementation, so the real adapter and the fake reject the same inputs.
import { HasnError } from '../../../core/errors.ts';

/** SMBus/I2C block transfers carry at most 32 bytes. */
export const MAX_BLOCK_LENGTH = 32;

function isByte(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xff;
}

export function deviceName(bus: number, address: number): string {
  return `i2c-${bus}@0x${address.toString(16).padStart(2, '0')}`;
}

export function checkBus(bus: unknown): asserts bus is number {
  if (!Number.isSafeInteger(bus) || (bus as number) < 0) {
    throw new HasnError('E_I2C_BUS', `an I2C bus number must be a non-negative integer (the N of /dev/i2c-N), got ${String(bus)}`, { path: 'bus' });
  }
}

/** 7-bit addresses 0x03..0x77; the rest are reserved by the I2C specification. */
export function checkAddress(address: unknown): asserts address is number {
  if (!Number.isInteger(address) || (address as number) < 0x03 || (address as number) > 0x77) {
    throw new HasnError('E_I2C_ADDRESS', `an I2C device address must be a 7-bit address in 0x03..0x77, got ${String(address)}`, { path: 'address' });
  }
}

export function checkRegister(register: unknown, device: string): asserts register is number {
  if (!isByte(register)) throw new HasnError('E_I2C_REGISTER', `register must be an integer in 0..255, got ${String(register)} (${device})`, { path: device });
}

export function checkValue(value: unknown, device: string): asserts value is number {
  if (!isByte(value)) throw new HasnError('E_I2C_VALUE', `a byte value must be an integer in 0..255, got ${String(value)} (${device})`, { path: device });
}

export function checkBlockLength(length: unknown, device: string): asserts length is number {
  if (!Number.isInteger(length) || (length as number) < 1 || (length as number) > MAX_BLOCK_LENGTH) {
    throw new HasnError('E_I2C_LENGTH', `a block read must be 1..${MAX_BLOCK_LENGTH} bytes, got ${String(length)} (${device})`, { path: device });
  }
}

export function closedError(device: string): HasnError {
  return new HasnError('E_I2C_CLOSED', `I2C device ${device} is closed`, { path: device });
}
