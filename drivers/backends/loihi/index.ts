// The loihi backend: emulate (bit-exact with Lava's fixed-point CPU model) and export (Lava script + NIR); hardware is never claimed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HasnError } from '../../../core/errors.ts';
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import { writeNir } from '../nir/export.ts';
import { probePython } from '../python-probe.ts';
import type { Artifact, Backend, BackendSession, BackendStatus, CompileOptions, OpenOptions } from '../types.ts';
import { loihiReport, planLoihi } from './compile.ts';
import { lavaScript } from './export-lava.ts';
import type { LoihiNetwork } from './network.ts';
import { LoihiSession } from './session.ts';

/** Importable when Lava is installed, and its Loihi 2 compiler (lava-loihi, INRC members only). */
const LAVA = 'lava';
const LAVA_LOIHI = 'lava.magma.compiler.subcompilers.nc.ncproc_compiler';

export const loihiBackend: Backend = {
  id: 'loihi',

  async probe(): Promise<BackendStatus> {
    const found = await probePython([LAVA, LAVA_LOIHI]);
    const versions: Record<string, string> = {};
    const reasons: string[] = [];
    if (found.python !== null) versions.python = found.python;
    if (found.modules[LAVA] != null) versions.lava = found.modules[LAVA] || 'unknown';
    else reasons.push(`lava: not importable here (${found.errors[LAVA] ?? 'absent'}); exported scripts need lava-nc where they run`);
    if (found.modules[LAVA_LOIHI] != null) {
      versions['lava-loihi'] = found.modules[LAVA_LOIHI] || 'unknown';
      reasons.push('hardware: lava-loihi is present, but this adapter does not drive a Loihi system; run the exported script with Loihi2HwCfg');
    } else {
      reasons.push(`hardware: lava-loihi (Loihi compiler, INRC members only) is not importable (${found.errors[LAVA_LOIHI] ?? 'absent'}) and no Loihi system is reachable`);
    }
    return { id: 'loihi', modes: ['emulate', 'export'], versions, reasons };
  },

  check(spec: NetworkSpec) {
    return planLoihi(spec).violations;
  },

  async compile(spec: NetworkSpec, opts: CompileOptions): Promise<Artifact> {
    if (opts.mode === 'hardware') {
      throw new HasnError('E_BACKEND_UNAVAILABLE', 'loihi hardware mode is not available: no Loihi system and no lava-loihi here (see `hasn backends`); use mode "emulate" or "export"', { path: 'mode' });
    }
    const { plan, violations } = planLoihi(spec, opts);
    if (plan === null || violations.length > 0) {
      throw new HasnError('E_BACKEND_UNSUPPORTED', `spec "${spec.name}" cannot map to loihi (${violations.length} violation${violations.length === 1 ? '' : 's'})`, { issues: violations });
    }
    const report = loihiReport(plan, spec);
    const files: string[] = [];
    if (opts.mode === 'export') {
      if (opts.outDir === undefined) throw new HasnError('E_BACKEND_OPTION', 'export needs an output directory (outDir)', { path: 'outDir' });
      const dir = resolve(opts.outDir);
      mkdirSync(dir, { recursive: true });
      const script = join(dir, `${safeName(spec.name)}_lava.py`);
      writeFileSync(script, lavaScript(safeName(spec.name), plan.quantized.network, report.notes));
      const nir = join(dir, `${safeName(spec.name)}.nir`);
      const warnings = await writeNir(spec, nir);
      report.notes.push(...warnings.map((w) => `NIR: ${w}`));
      files.push(script, nir);
    }
    return { backend: 'loihi', mode: opts.mode, spec, report, files, payload: plan.quantized.network };
  },

  async open(artifact: Artifact, opts: OpenOptions = {}): Promise<BackendSession> {
    if (artifact.backend !== 'loihi') throw new HasnError('E_BACKEND_MODE', `artifact was compiled for ${artifact.backend}, not loihi`);
    if (artifact.mode !== 'emulate') throw new HasnError('E_BACKEND_MODE', `only emulate artifacts can be opened, this one is "${artifact.mode}"`, { path: 'mode' });
    return new LoihiSession(artifact.spec, artifact.payload as LoihiNetwork, opts.snapshot);
  },
};

/** A file-name and Python-identifier-safe version of the spec name. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `net_${cleaned}`;
}
