// Lays out learned input weights as a grid of receptive-field tiles (one per neuron), ready for PNG encoding.

export interface TileGrid {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/**
 * `weights` is neurons × (tileHeight · tileWidth) (row per neuron, e.g. `projectionWeights` of input → exc).
 * Each tile is scaled on its own from 0 to its largest weight (white = strongest), tiles sit `columns` to a
 * row with a `gap`-pixel grey border, so every neuron's preferred pattern is visible whatever its weight range.
 */
export function receptiveFieldGrid(weights: Float32Array, neurons: number, tileHeight: number, tileWidth: number, options: { columns?: number; gap?: number; zoom?: number } = {}): TileGrid {
  const size = tileHeight * tileWidth;
  if (weights.length !== neurons * size) throw new RangeError(`${neurons} tiles of ${tileHeight} × ${tileWidth} need ${neurons * size} weights, got ${weights.length}`);
  const columns = options.columns ?? Math.ceil(Math.sqrt(neurons));
  const gap = options.gap ?? 1;
  const rows = Math.ceil(neurons / columns);
  const width = columns * (tileWidth + gap) + gap;
  const height = rows * (tileHeight + gap) + gap;
  const pixels = new Uint8Array(width * height).fill(96);
  for (let n = 0; n < neurons; n++) {
    const tile = weights.subarray(n * size, (n + 1) * size);
    let max = 0;
    for (let i = 0; i < size; i++) if (tile[i]! > max) max = tile[i]!;
    const scale = max > 0 ? 255 / max : 0;
    const x0 = gap + (n % columns) * (tileWidth + gap);
    const y0 = gap + Math.floor(n / columns) * (tileHeight + gap);
    for (let y = 0; y < tileHeight; y++) {
      for (let x = 0; x < tileWidth; x++) pixels[(y0 + y) * width + x0 + x] = Math.round(Math.max(0, tile[y * tileWidth + x]!) * scale);
    }
  }
  return zoomGrid({ width, height, pixels }, options.zoom ?? 1);
}

/** Each pixel as a zoom × zoom block (nearest neighbour), so small tiles stay sharp when viewed large. */
function zoomGrid(grid: TileGrid, zoom: number): TileGrid {
  if (zoom === 1) return grid;
  const width = grid.width * zoom;
  const height = grid.height * zoom;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = Math.floor(y / zoom) * grid.width;
    for (let x = 0; x < width; x++) pixels[y * width + x] = grid.pixels[from + Math.floor(x / zoom)]!;
  }
  return { width, height, pixels };
}
