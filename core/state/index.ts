// Brain state: binary snapshots of a compiled network and their portable JSON form.
export { encodeSnapshot, restoreSnapshot, readSnapshot, SNAPSHOT_FORMAT_VERSION, type SnapshotHeader } from './snapshot.ts';
export { snapshotToJson, snapshotFromJson, type SnapshotJson } from './json.ts';
