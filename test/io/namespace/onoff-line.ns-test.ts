// The real onoff adapter against a fake sysfs GPIO tree mounted at /sys/class — runs ONLY inside a private mount
// namespace with a tmpfs on /sys/class (onoff's root is the constant /sys/class/gpio; this is how we move it).
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openOnoffLine } from '../../../drivers/io/gpio/onoff-line.ts';
import type { Level } from '../../../drivers/io/types.ts';
import { digitalLineContract } from '../contracts/digital-line.contract.ts';
import { buildFakeSysfs, PI5_CHIPS } from '../fixtures/fake-sysfs.ts';

// Never touch a real /sys: on a Pi, writing /sys/class/gpio/export would take real pins.
const ownTmpfsOnSysClass = readFileSync('/proc/self/mountinfo', 'utf8')
  .split('\n')
  .some((line) => line.split(' ')[4] === '/sys/class' && line.includes(' - tmpfs '));
if (!ownTmpfsOnSysClass) throw new Error('refusing to run: /sys/class is not a private tmpfs (run through onoff-sysfs.test.ts)');

const RP1_BASE = 571;
const OUT_BCM = 17;
const IN_BCM = 18;
const gpioDir = (bcm: number) => `/sys/class/gpio/gpio${RP1_BASE + bcm}`;

beforeAll(() => {
  // Lines are pre-exported: nothing here plays the kernel's part of creating gpioN/ when `export` is written.
  buildFakeSysfs('/sys', PI5_CHIPS, [RP1_BASE + OUT_BCM, RP1_BASE + IN_BCM]);
});

describe('DigitalLine contract: onoff adapter on a fake Pi 5 sysfs tree', () => {
  digitalLineContract({
    // Edges need epoll on a real sysfs value file (POLLPRI); a regular file cannot provide it.
    capabilities: { input: true, edges: false },
    openOutput: (initial) => openOnoffLine({ bcm: OUT_BCM, direction: 'out', initial }),
    async openInput() {
      const line = await openOnoffLine({ bcm: IN_BCM, direction: 'in' });
      return {
        line,
        drive: async (levels: readonly Level[]) => writeFileSync(`${gpioDir(IN_BCM)}/value`, `${levels[levels.length - 1]}\n`),
      };
    },
  });
});

describe('onoff adapter on a fake Pi 5 sysfs tree', () => {
  it('resolves BCM 17 through the pinctrl-rp1 base to sysfs 588 and names the line after both', async () => {
    const line = await openOnoffLine({ bcm: OUT_BCM, direction: 'out' });
    expect(line.name).toBe('bcm17 (sysfs 588, pinctrl-rp1)');
    await line.close();
  });

  it('configures an output as "high" or "low" so the initial level is set with the direction', async () => {
    const line = await openOnoffLine({ bcm: OUT_BCM, direction: 'out', initial: 1 });
    expect(readFileSync(`${gpioDir(OUT_BCM)}/direction`, 'utf8')).toBe('high');
    await line.write(0);
    expect(readFileSync(`${gpioDir(OUT_BCM)}/value`, 'utf8')[0]).toBe('0');
    await line.close();
  });

  it('configures an input for both edges and unexports it on close', async () => {
    const line = await openOnoffLine({ bcm: IN_BCM, direction: 'in' });
    expect(readFileSync(`${gpioDir(IN_BCM)}/direction`, 'utf8')).toBe('in');
    expect(readFileSync(`${gpioDir(IN_BCM)}/edge`, 'utf8')).toBe('both');
    await line.close();
    expect(readFileSync('/sys/class/gpio/unexport', 'utf8')).toBe(String(RP1_BASE + IN_BCM));
  });

  it('reports a watch() it cannot start (epoll refuses a regular file) as E_GPIO_IO, not a crash', async () => {
    const line = await openOnoffLine({ bcm: IN_BCM, direction: 'in' });
    expect(() => line.watch(() => undefined)).toThrow(expect.objectContaining({ code: 'E_GPIO_IO' }));
    await line.close();
  });

  it('rejects a BCM number beyond the chip with E_GPIO_PIN_RANGE before touching sysfs', async () => {
    await expect(openOnoffLine({ bcm: 54, direction: 'out' })).rejects.toMatchObject({ code: 'E_GPIO_PIN_RANGE' });
  });
});
