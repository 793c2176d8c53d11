// What the store takes from outside itself: the clock and the random source, injected so tests control them.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

/** Milliseconds since the Unix epoch. */
export type Clock = () => number;

/** `size` cryptographically strong random bytes. */
export type RandomBytes = (size: number) => Uint8Array;

export interface StoreEnvironment {
  readonly now: Clock;
  readonly randomBytes: RandomBytes;
}

export const systemEnvironment: StoreEnvironment = {
  now: () => Date.now(),
  randomBytes: (size) => cryptoRandomBytes(size),
};
