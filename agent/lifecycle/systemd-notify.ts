// The sd_notify protocol (READY=1, WATCHDOG=1, STOPPING=1, STATUS=…) sent through Debian's `systemd-notify` binary.
//
// Why a child process: the notify socket is an AF_UNIX *datagram* socket, and Node can send neither AF_UNIX
// datagrams (node:dgram is UDP only, node:net is stream only) nor SCM_CREDENTIALS without a native addon.
// `systemd-notify` ships with systemd itself (so it exists wherever NOTIFY_SOCKET does), speaks every socket form
// systemd uses (paths, '@' abstract names), and since systemd 246 waits for the manager to have processed the
// message (a BARRIER=1 round trip), so the message cannot be lost to the "sender already exited" race.
// Consequence for the unit: the message comes from the child's PID, so the unit needs `NotifyAccess=all`
// (`main` would drop it; systemd-notify can only send under our PID with privileges the agent does not have).
// Calls are serialised (READY never overtakes STOPPING) and a watchdog ping is dropped while one is still pending.
import { execFile } from 'node:child_process';
import type { Logger } from '../log.ts';

export interface SystemdNotifier {
  /** True when NOTIFY_SOCKET is set (running under systemd with Type=notify). */
  readonly enabled: boolean;
  /** Sends `KEY=value` assignments in one message; resolves when sent (or failed, which is logged, never thrown). */
  notify(fields: Record<string, string>): Promise<void>;
  /** The watchdog interval systemd asked for (half of WatchdogSec, ms), or null when there is no watchdog. */
  readonly watchdogIntervalMs: number | null;
}

export interface NotifierOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** The notify tool (default `systemd-notify` on PATH). */
  command?: string;
  log: Logger;
  /** Give up on one message after this long (default 5000 ms: systemd-notify's own barrier timeout). */
  timeoutMs?: number;
  /** Our PID, compared with WATCHDOG_PID (default process.pid). */
  pid?: number;
}

/** Half of WATCHDOG_USEC, as sd_watchdog_enabled() recommends; null when absent, invalid, or meant for another PID. */
export function watchdogInterval(env: Readonly<Record<string, string | undefined>>, pid: number): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return null;
  return usec / 1000 / 2;
}

const FIELD_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** One sd_notify message body: `KEY=value` lines; newlines inside a value (STATUS) are flattened to spaces. */
export function formatNotifyMessage(fields: Record<string, string>): string[] {
  return Object.entries(fields).map(([key, value]) => {
    if (!FIELD_NAME.test(key)) throw new Error(`invalid sd_notify field name "${key}"`);
    return `${key}=${value.replace(/[\r\n]+/g, ' ')}`;
  });
}

export function createSystemdNotifier(options: NotifierOptions): SystemdNotifier {
  const env = options.env ?? process.env;
  const socket = env.NOTIFY_SOCKET;
  const command = options.command ?? 'systemd-notify';
  const timeoutMs = options.timeoutMs ?? 5000;
  const log = options.log;
  let chain: Promise<void> = Promise.resolve();
  let watchdogPending = false;
  let failureLogged = false;

  const send = (fields: Record<string, string>): Promise<void> =>
    new Promise<void>((resolve) => {
      const args = formatNotifyMessage(fields);
      execFile(command, args, { env: { PATH: env.PATH ?? '/usr/bin:/bin', NOTIFY_SOCKET: socket }, timeout: timeoutMs }, (error, _stdout, stderr) => {
        if (error !== null) {
          if (!failureLogged) log.error({ err: error, stderr: String(stderr).trim(), command }, `sd_notify via ${command} failed; systemd will not see ${args.join(' ')}`);
          failureLogged = true;
        } else {
          failureLogged = false;
        }
        resolve();
      });
    });

  return {
    enabled: socket !== undefined && socket !== '',
    watchdogIntervalMs: socket === undefined || socket === '' ? null : watchdogInterval(env, options.pid ?? process.pid),
    notify(fields) {
      if (socket === undefined || socket === '') return Promise.resolve();
      const isWatchdog = Object.keys(fields).length === 1 && fields.WATCHDOG === '1';
      if (isWatchdog) {
        if (watchdogPending) return chain;
        watchdogPending = true;
      }
      chain = chain.then(() => send(fields)).finally(() => {
        if (isWatchdog) watchdogPending = false;
      });
      return chain;
    },
  };
}
