// The SerialLink state machine shared by every port driver: framing, listeners, and reconnect with backoff.
//
// A PortDriver only knows how to open a byte port and report when it is lost; everything a SerialLink promises
// (states, frame decoding, never writing across an outage, reopening the same path) lives here once, so the
// serialport adapter and the in-memory fake behave identically by construction.
import { HasnError } from '../../../core/errors.ts';
import { systemClock } from '../clock.ts';
import type { FrameDecoder, Framing, FramingStats, IoClock, LinkState, LinkStateDetail, SerialLink, Unsubscribe } from '../types.ts';
import { backoffDelayMs, type BackoffOptions } from './backoff.ts';
import { ListenerSet, warnListenerError } from '../listeners.ts';

/** What a driver calls back with while a session is open. */
export interface PortHandlers {
  onData(chunk: Uint8Array): void;
  /** The device went away (unplugged, pty closed, read error); the session is dead. */
  onLost(error: Error): void;
}

export interface PortSession {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Opens one byte port; each open() is a fresh session. */
export interface PortDriver {
  readonly path: string;
  open(handlers: PortHandlers): Promise<PortSession>;
}

export interface LinkOptions {
  clock?: IoClock;
  backoff?: BackoffOptions;
  /** Source of the jitter draw in [0, 1) (default Math.random). */
  random?: () => number;
  /** Where exceptions thrown by onFrame/onState subscribers go (default: a process warning). */
  onListenerError?: (error: unknown) => void;
  /**
   * After this long without bytes, an incomplete frame is given up on (FrameDecoder.expire) so a corrupted length
   * field cannot hold back the frames behind it (default 100 ms: well above USB-serial latency timers, ~16 ms).
   */
  staleFrameMs?: number;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

export class FramedLink<F> implements SerialLink<F> {
  private currentState: LinkState = 'closed';
  private session: PortSession | undefined;
  /** Identifies the live session so late callbacks from a dead one are ignored. */
  private sessionToken = 0;
  private opening: Promise<void> | undefined;
  private closedByCaller = false;
  private everOpened = false;
  private attempt = 0;
  private cancelRetry: Unsubscribe | undefined;
  private cancelExpiry: Unsubscribe | undefined;
  private readonly decoder: FrameDecoder<F>;
  private readonly frames: ListenerSet<[F]>;
  private readonly states: ListenerSet<[LinkState, LinkStateDetail]>;
  private readonly clock: IoClock;
  private readonly random: () => number;

  constructor(
    private readonly driver: PortDriver,
    private readonly framing: Framing<F>,
    private readonly options: LinkOptions = {},
  ) {
    this.decoder = framing.createDecoder();
    const onListenerError = options.onListenerError ?? warnListenerError;
    this.frames = new ListenerSet(onListenerError);
    this.states = new ListenerSet(onListenerError);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  get path(): string {
    return this.driver.path;
  }

  get state(): LinkState {
    return this.currentState;
  }

  get stats(): Readonly<FramingStats> {
    return this.decoder.stats;
  }

  onFrame(callback: (frame: F) => void): Unsubscribe {
    return this.frames.add(callback);
  }

  onState(callback: (state: LinkState, detail: LinkStateDetail) => void): Unsubscribe {
    return this.states.add(callback);
  }

  open(): Promise<void> {
    if (this.currentState !== 'closed') return Promise.resolve();
    this.opening ??= this.openFirst().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openFirst(): Promise<void> {
    this.closedByCaller = false;
    let session: PortSession;
    const token = ++this.sessionToken;
    try {
      session = await this.driver.open(this.handlersFor(token));
    } catch (cause) {
      throw new HasnError('E_SERIAL_OPEN', `cannot open serial port ${this.path}: ${asError(cause).message}`, { path: this.path, cause });
    }
    if (this.closedByCaller) {
      await session.close().catch(() => undefined);
      return;
    }
    this.adopt(session);
  }

  async write(frame: F): Promise<void> {
    const bytes = this.framing.encode(frame);
    const session = this.session;
    if (session === undefined || this.currentState !== 'open') {
      if (this.closedByCaller && this.everOpened && this.currentState === 'closed') {
        throw new HasnError('E_SERIAL_CLOSED', `serial link ${this.path} is closed`, { path: this.path });
      }
      throw new HasnError('E_SERIAL_NOT_OPEN', `serial link ${this.path} is ${this.currentState}; frame not sent`, { path: this.path });
    }
    try {
      await session.write(bytes);
    } catch (cause) {
      throw new HasnError('E_SERIAL_IO', `write to ${this.path} failed: ${asError(cause).message}`, { path: this.path, cause });
    }
  }

  async close(): Promise<void> {
    this.closedByCaller = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.cancelExpiry?.();
    this.cancelExpiry = undefined;
    this.sessionToken++;
    const session = this.session;
    this.session = undefined;
    if (session !== undefined) await session.close().catch(() => undefined);
    if (this.currentState !== 'closed') this.setState('closed', { attempt: 0 });
  }

  private readonly emitFrame = (frame: F): void => this.frames.emit(frame);

  private handlersFor(token: number): PortHandlers {
    return {
      onData: (chunk) => {
        if (token !== this.sessionToken) return;
        this.cancelExpiry?.();
        this.cancelExpiry = undefined;
        this.decoder.push(chunk, this.emitFrame);
        if (this.decoder.pendingBytes > 0) {
          this.cancelExpiry = this.clock.setTimer(this.options.staleFrameMs ?? 100, () => {
            this.cancelExpiry = undefined;
            if (token === this.sessionToken) this.decoder.expire(this.emitFrame);
          });
        }
      },
      onLost: (error) => {
        if (token !== this.sessionToken || this.closedByCaller) return;
        this.sessionToken++;
        this.cancelExpiry?.();
        this.cancelExpiry = undefined;
        const session = this.session;
        this.session = undefined;
        if (session !== undefined) void session.close().catch(() => undefined);
        this.attempt = 0;
        this.setState('reconnecting', { attempt: 0, error });
        this.scheduleRetry();
      },
    };
  }

  private adopt(session: PortSession): void {
    this.session = session;
    this.everOpened = true;
    // Bytes received before the gap cannot be completed by bytes after it.
    this.decoder.reset();
    this.attempt = 0;
    this.setState('open', { attempt: 0 });
  }

  private scheduleRetry(): void {
    const delay = backoffDelayMs(this.attempt + 1, this.options.backoff ?? {}, this.random());
    this.cancelRetry = this.clock.setTimer(delay, () => {
      this.cancelRetry = undefined;
      void this.retry();
    });
  }

  private async retry(): Promise<void> {
    if (this.closedByCaller) return;
    this.attempt++;
    const token = ++this.sessionToken;
    let session: PortSession;
    try {
      session = await this.driver.open(this.handlersFor(token));
    } catch (cause) {
      if (this.closedByCaller) return;
      this.setState('reconnecting', { attempt: this.attempt, error: asError(cause) });
      this.scheduleRetry();
      return;
    }
    if (this.closedByCaller || token !== this.sessionToken) {
      await session.close().catch(() => undefined);
      return;
    }
    this.adopt(session);
  }

  private setState(state: LinkState, detail: LinkStateDetail): void {
    this.currentState = state;
    this.states.emit(state, detail);
  }
}
