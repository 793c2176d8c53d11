// The zeroed counter block every frame decoder starts from.
import type { FramingStats } from '../types.ts';

export function emptyFramingStats(): FramingStats {
  return { frames: 0, crcErrors: 0, oversize: 0, invalid: 0, truncated: 0, discardedBytes: 0 };
}
