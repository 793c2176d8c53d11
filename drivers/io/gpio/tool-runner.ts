// Runs external command-line tools (the libgpiod v2 tools) as child processes: to completion, or long-running
// with their stdout delivered line by line. Injected into the gpiod line so tests can put fake tools on PATH.
import { spawn } from 'node:child_process';

export interface ToolResult {
  /** Exit code, or null when killed by a signal or never started. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (e.g. ENOENT: tool not installed). */
  error?: NodeJS.ErrnoException;
}

export interface RunningTool {
  /** Each complete stdout line, without its newline. */
  onLine(callback: (line: string) => void): void;
  /** Resolves when the process has exited (on its own or after stop()). */
  readonly exited: Promise<ToolResult>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<ToolResult>;
}

export interface ToolRunner {
  run(tool: string, args: readonly string[]): Promise<ToolResult>;
  start(tool: string, args: readonly string[]): RunningTool;
}

export interface ProcessToolRunnerOptions {
  /** Environment of the tools (default process.env); tests prepend a directory of fakes to PATH. */
  env?: NodeJS.ProcessEnv;
}

export function processToolRunner(options: ProcessToolRunnerOptions = {}): ToolRunner {
  const start = (tool: string, args: readonly string[]): RunningTool => {
    const child = spawn(tool, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lineListeners: Array<(line: string) => void> = [];
    let stdout = '';
    let stderr = '';
    let partial = '';
    let startError: NodeJS.ErrnoException | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) for (const listener of lineListeners) listener(line);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', (error) => {
      startError = error;
    });
    const exited = new Promise<ToolResult>((resolve) => {
      child.on('close', (code) => resolve({ code, stdout, stderr, ...(startError === undefined ? {} : { error: startError }) }));
    });
    return {
      onLine: (callback) => {
        lineListeners.push(callback);
      },
      exited,
      stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
  };
  return {
    start,
    run: (tool, args) => start(tool, args).exited,
  };
}
