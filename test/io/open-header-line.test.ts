// Backend choice for header lines: libgpiod tools when the sysfs GPIO class is absent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openHeaderLine } from '../../drivers/io/gpio/open-header-line.ts';
import { FakeGpiodSystem } from './fixtures/fake-gpiod.ts';

describe('openHeaderLine', () => {
  const system = new FakeGpiodSystem([
    { name: 'gpiochip0', label: 'gpio-brcmstb@107d508500', ngpio: 32 },
    { name: 'gpiochip4', label: 'pinctrl-rp1', ngpio: 54 },
  ]);
  const noSysfs = mkdtempSync(join(tmpdir(), 'hasn-nosysfs-'));
  afterAll(() => {
    system.dispose();
    rmSync(noSysfs, { recursive: true, force: true });
  });

  it('uses the libgpiod tools on the header chip (found by label) when there is no sysfs GPIO class', async () => {
    const line = await openHeaderLine({ bcm: 17, direction: 'out', initial: 1, sysfsRoot: noSysfs, runner: system.runner });
    expect(line.name).toBe('pinctrl-rp1:17 (gpiochip4)');
    expect(system.value('gpiochip4', 17)).toBe(1);
    await line.close();
  });

  it('rejects an unknown backend name with E_GPIO_BACKEND', async () => {
    await expect(openHeaderLine({ bcm: 17, direction: 'out', backend: 'wiringpi' as never })).rejects.toMatchObject({ code: 'E_GPIO_BACKEND' });
  });
});
