// An in-memory serial cable: two SerialLinks joined by a byte pipe that tests can unplug, replug and inject into.
//
// The links are the same FramedLink the serialport adapter uses, on an in-memory PortDriver, so framing,
// states and reconnect behave exactly as on a real device. Bytes are delivered asynchronously, in order, as one
// chunk per write (like a pty that is read promptly).
import type { Framing, SerialLink } from '../types.ts';
import { FramedLink, type LinkOptions, type PortDriver, type PortHandlers, type PortSession } from './framed-link.ts';

class CableEnd implements PortDriver {
  handlers: PortHandlers | undefined;
  peer!: CableEnd;

  constructor(
    readonly path: string,
    private readonly cable: { readonly plugged: boolean },
  ) {}

  async open(handlers: PortHandlers): Promise<PortSession> {
    if (!this.cable.plugged) throw new Error(`ENOENT: no such file or directory, cannot open ${this.path} (unplugged)`);
    this.handlers = handlers;
    const live = () => this.handlers === handlers;
    return {
      write: async (bytes) => {
        if (!live()) throw new Error(`EIO: ${this.path} is gone`);
        this.peer.deliver(bytes.slice());
      },
      close: async () => {
        if (live()) this.handlers = undefined;
      },
    };
  }

  deliver(bytes: Uint8Array): void {
    const target = this.handlers;
    if (target === undefined) return; // nobody has the port open: the bytes fall on the floor, as on a wire
    setImmediate(() => {
      if (this.handlers === target) target.onData(bytes);
    });
  }

  lose(): void {
    const target = this.handlers;
    this.handlers = undefined;
    if (target !== undefined) setImmediate(() => target.onLost(new Error(`EIO: ${this.path} disconnected`)));
  }
}

export class FakeSerialCable<F> {
  plugged = true;
  readonly a: SerialLink<F>;
  readonly b: SerialLink<F>;
  private readonly endA: CableEnd;
  private readonly endB: CableEnd;

  constructor(framing: Framing<F>, options: LinkOptions & { pathA?: string; pathB?: string } = {}) {
    this.endA = new CableEnd(options.pathA ?? 'fake:a', this);
    this.endB = new CableEnd(options.pathB ?? 'fake:b', this);
    this.endA.peer = this.endB;
    this.endB.peer = this.endA;
    this.a = new FramedLink(this.endA, framing, options);
    this.b = new FramedLink(this.endB, framing, options);
  }

  /** Both ends lose their device; opens fail until replug(). */
  unplug(): void {
    this.plugged = false;
    this.endA.lose();
    this.endB.lose();
  }

  replug(): void {
    this.plugged = true;
  }

  /** Raw bytes arriving at one end as if sent by the other (garbage, partial frames). */
  inject(end: 'a' | 'b', bytes: Uint8Array): void {
    (end === 'a' ? this.endA : this.endB).deliver(bytes.slice());
  }
}

/** Two linked SerialLinks (a ↔ b) on one in-memory cable. */
export function createFakeSerialCable<F>(framing: Framing<F>, options: LinkOptions & { pathA?: string; pathB?: string } = {}): FakeSerialCable<F> {
  return new FakeSerialCable(framing, options);
}
