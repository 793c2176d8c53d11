// Types for the part of `i2c-bus` (which ships none) that the i2c-bus adapter uses.
declare module 'i2c-bus' {
  export interface PromisifiedBus {
    readByte(address: number, command: number): Promise<number>;
    readWord(address: number, command: number): Promise<number>;
    readI2cBlock(address: number, command: number, length: number, buffer: Buffer): Promise<{ bytesRead: number; buffer: Buffer }>;
    writeByte(address: number, command: number, byte: number): Promise<void>;
    close(): Promise<void>;
  }
  export function openPromisified(busNumber: number, options?: { forceAccess?: boolean }): Promise<PromisifiedBus>;
}
