// The real IoAdapters: header GPIO lines (sysfs or libgpiod), i2c-bus devices and serialport JSON-lines links from drivers/io.
//
// Each driver loads its native library lazily on first open, so a simulation-mode agent (no hardware sources)
// never loads onoff, i2c-bus or serialport at all.
import { systemClock } from '../../drivers/io/clock.ts';
import { openHeaderLine } from '../../drivers/io/gpio/open-header-line.ts';
import { openI2cBusDevice } from '../../drivers/io/i2c/i2c-bus-device.ts';
import { jsonLineFraming } from '../../drivers/io/serial/framing-lines.ts';
import { createSerialportLink } from '../../drivers/io/serial/serialport-link.ts';
import type { IoClock } from '../../drivers/io/types.ts';
import type { IoAdapters } from './adapters.ts';

export function hardwareAdapters(clock: IoClock = systemClock): IoAdapters {
  return {
    clock,
    openLine: (bcm, direction) => openHeaderLine({ bcm, direction, ...(direction === 'out' ? { initial: 0 as const } : {}), clock }),
    openI2CDevice: (bus, address) => openI2cBusDevice({ bus, address }),
    createJsonLineLink: (path, baudRate) => createSerialportLink(jsonLineFraming(), { path, baudRate, clock }),
  };
}
