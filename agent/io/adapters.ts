// What the agent's sensor and actuator wiring needs from drivers/io, as one injectable set of openers.
//
// The agent never imports a hardware library: it asks these openers for drivers/io interfaces. The real set
// (hardware-adapters.ts) opens onoff/libgpiod lines, i2c-bus devices and serialport links; tests pass fakes
// from drivers/io that pass the same contract suites. Simulated sensors need no adapter: their signals are pure.
import type { DigitalLine, I2CDevice, IoClock, SerialLink } from '../../drivers/io/types.ts';

export interface IoAdapters {
  readonly clock: IoClock;
  /** A GPIO line by BCM number; outputs start low. */
  openLine(bcm: number, direction: 'in' | 'out'): Promise<DigitalLine>;
  openI2CDevice(bus: number, address: number): Promise<I2CDevice>;
  /** A JSON-lines serial link (not yet opened); one per device path, shared by the sensors and actuators on it. */
  createJsonLineLink(path: string, baudRate: number): SerialLink<unknown>;
}
