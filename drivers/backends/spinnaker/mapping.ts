// How a network maps onto SpiNNaker1 machines: application cores, delay extensions, chips and boards.
//
// Figures (sPyNNaker defaults and SpiNNaker1 hardware):
//   255 neurons per core (sPyNNaker's default max atoms per core for neuron models; applied to sources too here)
//   delays of up to 16 steps are held on the target core; longer ones go through a delay-extension vertex per
//   source population (sliced like its source), up to 8 blocks of 16 steps: 144 steps at most
//   16 application cores per chip (18 ARM968 cores: one monitor, one spare), 48 chips per SpiNN-5 board
import type { NetworkSpec } from '../../../core/spec/schema.ts';
import type { ResourceReport } from '../types.ts';

export const NEURONS_PER_CORE = 255;
export const CORE_DELAY_STEPS = 16;
export const DELAY_EXTENSION_BLOCKS = 8;
export const MAX_DELAY_STEPS = CORE_DELAY_STEPS * (1 + DELAY_EXTENSION_BLOCKS);
export const APPLICATION_CORES_PER_CHIP = 16;
export const CHIPS_PER_BOARD = 48;

export interface PopulationMapping {
  id: string;
  size: number;
  cores: number;
  /** Delay-extension cores needed for this population's outgoing delays above 16 steps (0 if none). */
  delayExtensionCores: number;
  /** Delay-extension blocks of 16 steps the longest outgoing delay needs. */
  delayBlocks: number;
}

export interface SpinnakerMapping {
  populations: PopulationMapping[];
  cores: number;
  chips: number;
  boards: number;
}

/** Places every population on cores; `maxOutgoingDelay` gives each population's longest outgoing delay in steps. */
export function mapToMachine(spec: NetworkSpec, maxOutgoingDelay: ReadonlyMap<string, number>, neuronsPerCore = NEURONS_PER_CORE): SpinnakerMapping {
  const populations = spec.populations.map((pop): PopulationMapping => {
    const cores = Math.ceil(pop.size / neuronsPerCore);
    const delay = maxOutgoingDelay.get(pop.id) ?? 0;
    const delayBlocks = delay > CORE_DELAY_STEPS ? Math.ceil(delay / CORE_DELAY_STEPS) - 1 : 0;
    return { id: pop.id, size: pop.size, cores, delayExtensionCores: delayBlocks > 0 ? cores : 0, delayBlocks };
  });
  const cores = populations.reduce((sum, p) => sum + p.cores + p.delayExtensionCores, 0);
  const chips = Math.ceil(cores / APPLICATION_CORES_PER_CHIP);
  return { populations, cores, chips, boards: Math.ceil(chips / CHIPS_PER_BOARD) };
}

export function mappingReport(mapping: SpinnakerMapping, neurons: number, synapses: number, maxRelativeWeightError: number, neuronsPerCore: number): ResourceReport {
  const extensionCores = mapping.populations.reduce((sum, p) => sum + p.delayExtensionCores, 0);
  const notes = [
    `${neuronsPerCore} neurons per core, ${APPLICATION_CORES_PER_CHIP} application cores per chip, ${CHIPS_PER_BOARD} chips per SpiNN-5 board`,
    ...mapping.populations.map((p) => `${p.id}: ${p.size} neurons on ${p.cores} core(s)` +
      (p.delayExtensionCores > 0 ? ` + ${p.delayExtensionCores} delay-extension core(s) (${p.delayBlocks} block(s) of ${CORE_DELAY_STEPS} steps)` : '')),
  ];
  if (extensionCores > 0) notes.push(`delays above ${CORE_DELAY_STEPS} steps need delay extensions: ${extensionCores} extra core(s)`);
  return {
    neurons, synapses,
    units: { cores: mapping.cores, delayExtensionCores: extensionCores, chips: mapping.chips, boards: mapping.boards },
    quantization: { maxRelativeWeightError },
    notes,
  };
}
