// The real SerialLink: a PortDriver on node-serialport (the only module importing `serialport`).
//
// `serialport` is imported lazily, on first open, so a process that never touches a serial port (simulation mode,
// a machine where the native binding failed to build) does not load the addon at all.
//
// Unplug detection has two paths. Usually the binding's poller sees the hangup and the port closes with a
// disconnect error. But a tty hung up before the binding's first read returns 0 bytes forever, which
// bindings-cpp retries silently; so the driver also checks every presenceCheckMs that the path still names the
// device it opened (same rdev) — a USB unplug or a pty teardown removes the node.
import { stat } from 'node:fs/promises';
import type { SerialPort as SerialPortClass } from 'serialport';
import { systemClock } from '../clock.ts';
import type { Framing, IoClock, SerialLink } from '../types.ts';
import { FramedLink, type LinkOptions, type PortDriver, type PortHandlers, type PortSession } from './framed-link.ts';

/**
 * Which node-serialport binding talks to the device: 'system' is @serialport/bindings-cpp (real ttys, ptys);
 * 'mock' is @serialport/binding-mock, for unit tests that create ports with MockBinding.createPort(path).
 */
export type SerialBinding = 'system' | 'mock';

export interface SerialportLinkOptions extends LinkOptions {
  /** Device path; prefer /dev/serial/by-id/… for USB adapters, /dev/ttyAMA0 for the Pi 5 header UART. */
  path: string;
  /** Default 115200. */
  baudRate?: number;
  binding?: SerialBinding;
  /** How often to check that the device node is still there (default 500 ms). */
  presenceCheckMs?: number;
}

type AnyPort = InstanceType<typeof SerialPortClass>;

async function createPort(path: string, baudRate: number, binding: SerialBinding): Promise<AnyPort> {
  const serialport = await import('serialport');
  if (binding === 'mock') {
    return new serialport.SerialPortMock({ path, baudRate, autoOpen: false }) as unknown as AnyPort;
  }
  return new serialport.SerialPort({ path, baudRate, autoOpen: false });
}

/** The device number behind `path`, or undefined when the path does not resolve to a device any more. */
async function deviceIdentity(path: string): Promise<bigint | undefined> {
  try {
    return (await stat(path, { bigint: true })).rdev;
  } catch {
    return undefined;
  }
}

class SerialportDriver implements PortDriver {
  constructor(
    readonly path: string,
    private readonly baudRate: number,
    private readonly binding: SerialBinding,
    private readonly clock: IoClock,
    private readonly presenceCheckMs: number,
  ) {}

  async open(handlers: PortHandlers): Promise<PortSession> {
    const port = await createPort(this.path, this.baudRate, this.binding);
    let closing = false;
    let lost = false;
    let cancelPresenceCheck: (() => void) | undefined;
    const reportLost = (error: Error) => {
      if (closing || lost) return;
      lost = true;
      cancelPresenceCheck?.();
      handlers.onLost(error);
    };
    // Installed before open(): a stream 'error' without a listener would crash the process.
    port.on('error', (error: Error) => reportLost(error));
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    port.on('data', (chunk: Buffer) => handlers.onData(chunk));
    port.on('close', (error: Error | null) => reportLost(error ?? new Error(`${this.path} closed`)));
    if (this.binding === 'system') {
      const opened = await deviceIdentity(this.path);
      const schedule = () => {
        cancelPresenceCheck = this.clock.setTimer(this.presenceCheckMs, () => {
          void deviceIdentity(this.path).then((now) => {
            if (closing || lost) return;
            if (now !== opened) reportLost(new Error(`${this.path} disappeared`));
            else schedule();
          });
        });
      };
      schedule();
    }
    return {
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => (error ? reject(error) : resolve()));
        }),
      close: () =>
        new Promise<void>((resolve) => {
          closing = true;
          cancelPresenceCheck?.();
          if (!port.isOpen) return resolve();
          port.close(() => resolve());
        }),
    };
  }
}

/** A framed, self-reconnecting link on a serial device. Call open() before writing. */
export function createSerialportLink<F>(framing: Framing<F>, options: SerialportLinkOptions): SerialLink<F> {
  const driver = new SerialportDriver(
    options.path,
    options.baudRate ?? 115200,
    options.binding ?? 'system',
    options.clock ?? systemClock,
    options.presenceCheckMs ?? 500,
  );
  return new FramedLink(driver, framing, options);
}
