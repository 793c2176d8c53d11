// The preferred values of a population code: one per neuron, evenly spaced over [min, max], shared by encoder and decoder.

/** Distance between neighbouring preferred values; a single neuron spans the whole range. */
export function preferredSpacing(size: number, min: number, max: number): number {
  return size === 1 ? max - min : (max - min) / (size - 1);
}

/** μᵢ = min + i·spacing, ending exactly at max; a single neuron prefers the middle of the range. */
export function preferredValues(size: number, min: number, max: number): Float64Array {
  const mu = new Float64Array(size);
  if (size === 1) {
    mu[0] = (min + max) / 2;
    return mu;
  }
  const spacing = preferredSpacing(size, min, max);
  for (let i = 0; i < size - 1; i++) mu[i] = min + i * spacing;
  mu[size - 1] = max;
  return mu;
}
