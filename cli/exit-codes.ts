// Exit codes of every `hasn` command, documented in README.md ("Exit codes").
export const EXIT = {
  /** Success. */
  OK: 0,
  /** Runtime failure (I/O, backend, unexpected error). */
  FAILURE: 1,
  /** The input (spec, config, snapshot, bundle) is invalid; every problem was listed on stderr. */
  INVALID_INPUT: 2,
  /** Unknown command or bad command-line usage. */
  USAGE: 64,
  /** A required backend, device or service is unavailable. */
  UNAVAILABLE: 69,
} as const;
