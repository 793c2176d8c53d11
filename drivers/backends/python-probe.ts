// Finds which Python modules (vendor SDKs) are importable, with versions; never throws, reports why something is absent.
import { execFile } from 'node:child_process';

export interface PythonProbe {
  /** Python version, or null when no interpreter ran. */
  python: string | null;
  /** Module name → version ('' when importable without a version), or null when not importable. */
  modules: Record<string, string | null>;
  /** Why a module is absent (interpreter missing, ImportError text), by module; `python` for the interpreter. */
  errors: Record<string, string>;
}

const SCRIPT = `
import importlib, json, sys
out = {"python": sys.version.split()[0], "modules": {}, "errors": {}}
for name in sys.argv[1:]:
    try:
        m = importlib.import_module(name)
        out["modules"][name] = str(getattr(m, "__version__", ""))
    except Exception as e:
        out["modules"][name] = None
        out["errors"][name] = type(e).__name__ + ": " + str(e).splitlines()[0] if str(e) else type(e).__name__
print(json.dumps(out))
`;

/** Tries to import each module in one `python3` process (10 s limit). */
export function probePython(modules: readonly string[], python = process.env.HASN_PYTHON ?? 'python3'): Promise<PythonProbe> {
  return new Promise((resolve) => {
    execFile(python, ['-c', SCRIPT, ...modules], { timeout: 10_000, maxBuffer: 1 << 20 }, (error, stdout) => {
      const absent = (why: string): PythonProbe => ({
        python: null,
        modules: Object.fromEntries(modules.map((m) => [m, null])),
        errors: { python: why, ...Object.fromEntries(modules.map((m) => [m, why])) },
      });
      if (error) {
        resolve(absent(`${python} did not run (${error.message.split('\n')[0]})`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as PythonProbe);
      } catch {
        resolve(absent(`${python} printed no probe result`));
      }
    });
  });
}
