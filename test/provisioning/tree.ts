// Snapshots of a directory tree (type, mode, owner, content hash, link target, optionally mtimes) for exact comparisons.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** path (relative, "/"-joined) -> one-line description of the entry. */
export function snapshotTree(root: string, options: { times: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      const st = lstatSync(path);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      const time = options.times ? ` mtime=${st.mtimeMs}` : '';
      if (st.isSymbolicLink()) {
        out[rel] = `link -> ${readlinkSync(path)} ${st.uid}:${st.gid}${time}`;
      } else if (st.isDirectory()) {
        out[rel] = `dir ${mode} ${st.uid}:${st.gid}${time}`;
        visit(path, rel);
      } else {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
        out[rel] = `file ${mode} ${st.uid}:${st.gid} ${hash}${time}`;
      }
    }
  };
  visit(root, '');
  return out;
}
