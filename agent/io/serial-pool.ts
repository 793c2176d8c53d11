// One JSON-lines SerialLink per device path, shared by every sensor and actuator configured on that path.
import type { SerialLink } from '../../drivers/io/types.ts';
import type { IoAdapters } from './adapters.ts';

export class SerialLinkPool {
  private readonly links = new Map<string, { link: SerialLink<unknown>; opening: Promise<void> | undefined }>();

  constructor(private readonly adapters: IoAdapters) {}

  /** The link on `path`, opened (the first caller opens it; later callers wait for the same open). */
  async acquire(path: string, baudRate: number): Promise<SerialLink<unknown>> {
    let entry = this.links.get(path);
    if (entry === undefined) {
      entry = { link: this.adapters.createJsonLineLink(path, baudRate), opening: undefined };
      this.links.set(path, entry);
    }
    entry.opening ??= entry.link.open();
    try {
      await entry.opening;
    } catch (err) {
      entry.opening = undefined; // a later acquire retries the open
      throw err;
    }
    return entry.link;
  }

  async closeAll(): Promise<void> {
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.allSettled(links.map((entry) => entry.link.close()));
  }
}
