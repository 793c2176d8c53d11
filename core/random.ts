// Counter-based random numbers: every draw is a pure function of (seed, stream, a, b), never of shared sequential state.
//
// This is what makes spikes identical for any number of workers and after a snapshot/restore:
// a Poisson neuron's draw at step n is hash(seed, stream, neuron, n), whoever computes it and whenever.

/** Wellons' lowbias32 finaliser: a strong 32-bit avalanche mix. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** A 32-bit hash of four 32-bit keys; changing any key changes every output bit with probability ~1/2. */
export function hash4(seed: number, stream: number, a: number, b: number): number {
  return hashFrom(keyPrefix(seed, stream, a), b);
}

/**
 * hash4 in two parts: the part fixed by (seed, stream, a), then the two of its five mixing rounds that involve
 * b. Callers that draw many b for one key compute the prefix once (connectors: per source neuron; Poisson
 * inputs: per neuron); test/engine/compile.test.ts checks the split against the one-call form.
 */
export function keyPrefix(seed: number, stream: number, a: number): number {
  let h = mix32((seed ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(stream | 0, 0x85ebca6b)) >>> 0);
  return mix32((h + (a | 0)) >>> 0);
}

/** hash4(seed, stream, a, b) from keyPrefix(seed, stream, a). */
export function hashFrom(prefix: number, b: number): number {
  const h = mix32((prefix ^ Math.imul(b | 0, 0xc2b2ae35)) >>> 0);
  return mix32((h + 0x632be5ab) >>> 0);
}

/** uniform53(seed, stream, a, b) from keyPrefix(seed, stream, a). */
export function uniform53From(prefix: number, b: number): number {
  const hi = hashFrom(prefix, b) >>> 5;
  const lo = hashFrom(prefix, (b ^ 0x80000000) >>> 0) >>> 6;
  return (hi * 67108864 + lo) / TWO_POW_53;
}

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/**
 * The stream key for draws keyed by a step. Keys are 32-bit, so steps past 2³² (≈ 5 days at dt 0.1 ms) would
 * repeat the draws of step − 2³²; each further 2³² steps get their own derived stream instead. Below 2³² it is
 * `stream` itself. Pair it with `step >>> 0` as the key.
 */
export function streamForStep(stream: number, step: number): number {
  const epoch = Math.floor(step / TWO_POW_32);
  return epoch === 0 ? stream : mix32((stream ^ mix32(epoch)) >>> 0);
}

/** Uniform in [0, 1) with 32 bits of resolution (hot paths: Poisson draws). */
export function uniform32(seed: number, stream: number, a: number, b: number): number {
  return hash4(seed, stream, a, b) / TWO_POW_32;
}

/** Uniform in [0, 1) with 53 bits of resolution: two hashes, the second with the high bit of `b` flipped. */
export function uniform53(seed: number, stream: number, a: number, b: number): number {
  const hi = hash4(seed, stream, a, b) >>> 5; // 27 bits
  const lo = hash4(seed, stream, a, (b ^ 0x80000000) >>> 0) >>> 6; // 26 bits
  return (hi * 67108864 + lo) / TWO_POW_53;
}

/** Standard normal by Box–Muller from two independent 53-bit uniforms keyed by (a, 2b) and (a, 2b+1). */
export function normal(seed: number, stream: number, a: number, b: number): number {
  const u1 = uniform53(seed, stream, a, (b * 2) >>> 0);
  const u2 = uniform53(seed, stream, a, (b * 2 + 1) >>> 0);
  const r = Math.sqrt(-2 * Math.log(1 - u1)); // 1 − u1 ∈ (0, 1]: never log(0)
  return r * Math.cos(2 * Math.PI * u2);
}

/** A sequential stream over one counter-based key, for generators that draw a variable number of values. */
export class CounterStream {
  private counter = 0;
  constructor(private readonly seed: number, private readonly stream: number, private readonly key: number) {}

  /** Uniform in [0, 1), 53-bit. */
  next(): number {
    return uniform53(this.seed, this.stream, this.key, this.counter++);
  }

  /** Standard normal. */
  nextNormal(): number {
    return normal(this.seed, this.stream, this.key, this.counter++);
  }

  /** Integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Stable 32-bit stream id from a name (FNV-1a), so streams survive reordering of a spec's lists. */
export function streamId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h >>> 0);
}
