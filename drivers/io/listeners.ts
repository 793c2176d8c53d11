// A set of subscriber callbacks where one throwing subscriber cannot starve the others or corrupt the caller.
import type { Unsubscribe } from './types.ts';

export class ListenerSet<Args extends unknown[]> {
  private readonly listeners = new Set<(...args: Args) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  add(listener: (...args: Args) => void): Unsubscribe {
    // Wrapped so the same function subscribed twice gets two independent subscriptions.
    const entry = (...args: Args) => listener(...args);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(...args: Args): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

/** Default for subscriber exceptions: surface them as a process warning instead of crashing the daemon. */
export function warnListenerError(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'HASN_IO_LISTENER' });
}
