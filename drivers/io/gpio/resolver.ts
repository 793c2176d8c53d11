// Maps a BCM pin number to the kernel's sysfs GPIO number by finding the header GPIO chip and its base.
//
// Since kernel 6.6 sysfs numbers carry a per-chip base (the Pi 5's RP1 header chip starts at 571 on current
// kernels), so BCM 17 is sysfs 588 there and passing 17 to onoff fails with EINVAL. Config speaks BCM numbers only;
// this resolver finds `<sysfsRoot>/class/gpio/gpiochip*/label` equal to a header chip label and adds its `base`.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HasnError } from '../../../core/errors.ts';

/** Labels of the chip that drives the 40-pin header, most recent Pi first. */
export const HEADER_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface SysfsGpioChip {
  /** e.g. /sys/class/gpio/gpiochip571 */
  dir: string;
  label: string;
  base: number;
  ngpio: number;
}

export interface ResolvedGpio {
  bcm: number;
  sysfsNumber: number;
  chip: SysfsGpioChip;
}

export interface ResolveOptions {
  /** Where sysfs is mounted (default /sys); tests point it at a fake tree. */
  sysfsRoot?: string;
  /** Chip labels to accept, in order of preference (default HEADER_CHIP_LABELS). */
  labels?: readonly string[];
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function readInteger(path: string): Promise<number> {
  const text = await readTrimmed(path);
  const value = text === undefined || !/^\d+$/.test(text) ? Number.NaN : Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new HasnError('E_GPIO_CHIP_UNREADABLE', `expected a non-negative integer in ${path}, found ${text === undefined ? 'no readable file' : JSON.stringify(text)}`, { path });
  }
  return value;
}

/** Every gpiochip under `<sysfsRoot>/class/gpio` with a readable label (base/ngpio read on demand). */
export async function listSysfsGpioChipLabels(sysfsRoot = '/sys'): Promise<Array<{ dir: string; label: string }>> {
  const classDir = join(sysfsRoot, 'class', 'gpio');
  let entries: string[];
  try {
    entries = await readdir(classDir);
  } catch (cause) {
    throw new HasnError(
      'E_GPIO_NO_SYSFS',
      `the sysfs GPIO interface is not available at ${classDir} (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}); ` +
        'on kernels without CONFIG_GPIO_SYSFS use the libgpiod backend (Debian package gpiod)',
      { path: classDir, cause },
    );
  }
  const chips: Array<{ dir: string; label: string }> = [];
  for (const name of entries.filter((entry) => /^gpiochip\d+$/.test(entry)).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)))) {
    const dir = join(classDir, name);
    const label = await readTrimmed(join(dir, 'label'));
    if (label !== undefined) chips.push({ dir, label });
  }
  return chips;
}

/** Finds the header chip: the first label in `labels` present under sysfs. */
export async function findHeaderChip(options: ResolveOptions = {}): Promise<SysfsGpioChip> {
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  const labels = options.labels ?? HEADER_CHIP_LABELS;
  const chips = await listSysfsGpioChipLabels(sysfsRoot);
  for (const wanted of labels) {
    const match = chips.find((chip) => chip.label === wanted);
    if (match === undefined) continue;
    return {
      ...match,
      base: await readInteger(join(match.dir, 'base')),
      ngpio: await readInteger(join(match.dir, 'ngpio')),
    };
  }
  const classDir = join(sysfsRoot, 'class', 'gpio');
  const found = chips.length === 0 ? 'no gpiochip* entries' : chips.map((chip) => `${chip.dir.slice(classDir.length + 1)} [${chip.label}]`).join(', ');
  throw new HasnError('E_GPIO_NO_CHIP', `no GPIO chip labelled ${labels.join(' or ')} under ${classDir} (found: ${found})`, { path: classDir });
}

/** BCM pin → sysfs number (base + offset), checked against the chip's line count. */
export async function resolveBcmPin(bcm: number, options: ResolveOptions = {}): Promise<ResolvedGpio> {
  if (!Number.isSafeInteger(bcm) || bcm < 0) {
    throw new HasnError('E_GPIO_PIN_INVALID', `a BCM pin number must be a non-negative integer, got ${String(bcm)}`, { path: 'bcm' });
  }
  const chip = await findHeaderChip(options);
  if (bcm >= chip.ngpio) {
    throw new HasnError('E_GPIO_PIN_RANGE', `BCM ${bcm} is outside ${chip.label} (${chip.dir}), which has lines 0..${chip.ngpio - 1}`, {
      path: chip.dir,
    });
  }
  return { bcm, sysfsNumber: chip.base + bcm, chip };
}
