// The in-memory NIR graph (neuromorphs/NIR): named nodes with a type and array parameters, and directed edges.

/** A parameter: float64 values with their shape (1-D: [n]; Linear/Affine weight: [out, in]). */
export interface NirArray {
  shape: number[];
  data: Float64Array;
}

export interface NirNode {
  /** NIR primitive name: "Input", "Output", "Linear", "Affine", "LIF", "CubaLIF", … */
  type: string;
  /** Every parameter dataset of the node except `type` (Input/Output `shape` included, as floats). */
  params: Record<string, NirArray>;
}

export interface NirGraph {
  /** Nodes in file order (the exporter writes groups with creation order tracked). */
  nodes: Map<string, NirNode>;
  edges: [string, string][];
}

/** The NIR version written to the root `version` dataset: the layout of the nir package 1.0.x. */
export const NIR_VERSION = '1.0.7';

export function vector(values: ArrayLike<number>): NirArray {
  return { shape: [values.length], data: Float64Array.from(values) };
}

export function filled(n: number, value: number): NirArray {
  return { shape: [n], data: new Float64Array(n).fill(value) };
}
