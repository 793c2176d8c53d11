// Opens a 40-pin-header line by BCM number on whichever GPIO interface this system has: sysfs (onoff) or libgpiod.
import { HasnError } from '../../../core/errors.ts';
import type { DigitalLine, IoClock, Level, LineDirection } from '../types.ts';
import { openGpiodLine, parseGpiodetect } from './gpiod-line.ts';
import { openOnoffLine } from './onoff-line.ts';
import { HEADER_CHIP_LABELS, listSysfsGpioChipLabels } from './resolver.ts';
import { processToolRunner, type ToolRunner } from './tool-runner.ts';

/** 'auto' uses sysfs when /sys/class/gpio exists (kernel CONFIG_GPIO_SYSFS), else the libgpiod v2 tools. */
export type GpioBackend = 'auto' | 'sysfs' | 'gpiod';

export interface HeaderLineOptions {
  bcm: number;
  direction: LineDirection;
  initial?: Level;
  backend?: GpioBackend;
  /** Where 'auto' looks for the sysfs GPIO class (default /sys; onoff itself always uses /sys). */
  sysfsRoot?: string;
  runner?: ToolRunner;
  clock?: IoClock;
}

async function sysfsPresent(sysfsRoot: string): Promise<boolean> {
  try {
    await listSysfsGpioChipLabels(sysfsRoot);
    return true;
  } catch (error) {
    if ((error as HasnError).code === 'E_GPIO_NO_SYSFS') return false;
    throw error;
  }
}

/** The header chip's label as gpiodetect reports it (pinctrl-rp1 on a Pi 5). */
async function gpiodHeaderLabel(runner: ToolRunner): Promise<string> {
  const result = await runner.run('gpiodetect', []);
  const labels = parseGpiodetect(result.stdout).map((chip) => chip.label);
  const label = HEADER_CHIP_LABELS.find((wanted) => labels.includes(wanted));
  if (label !== undefined) return label;
  // Let openGpiodLine produce the precise error (tool missing, or no such chip with the list of chips found).
  return HEADER_CHIP_LABELS[0];
}

export async function openHeaderLine(options: HeaderLineOptions): Promise<DigitalLine> {
  const backend = options.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'sysfs' && backend !== 'gpiod') {
    throw new HasnError('E_GPIO_BACKEND', `GPIO backend must be auto, sysfs or gpiod, got ${String(backend)}`, { path: 'backend' });
  }
  const common = {
    direction: options.direction,
    ...(options.initial === undefined ? {} : { initial: options.initial }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  };
  const useSysfs = backend === 'sysfs' || (backend === 'auto' && (await sysfsPresent(options.sysfsRoot ?? '/sys')));
  if (useSysfs) return openOnoffLine({ bcm: options.bcm, ...common });
  const runner = options.runner ?? processToolRunner();
  return openGpiodLine({ chipLabel: await gpiodHeaderLabel(runner), offset: options.bcm, runner, ...common });
}
