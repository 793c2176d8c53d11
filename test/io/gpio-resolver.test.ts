// BCM → sysfs number resolution against fake sysfs trees of a Pi 5 (old and new kernels), a Pi 4, and broken trees.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findHeaderChip, resolveBcmPin } from '../../drivers/io/gpio/resolver.ts';
import { buildFakeSysfs, PI5_CHIPS } from './fixtures/fake-sysfs.ts';

const roots: string[] = [];
function fakeRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'hasn-sysfs-'));
  roots.push(root);
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('GPIO numbering resolver', () => {
  it('maps BCM 17 to 588 on a Pi 5 with kernel ≥ 6.6 (pinctrl-rp1 at base 571)', async () => {
    const root = fakeRoot();
    buildFakeSysfs(root, PI5_CHIPS);
    const resolved = await resolveBcmPin(17, { sysfsRoot: root });
    expect(resolved.sysfsNumber).toBe(588);
    expect(resolved.chip).toMatchObject({ label: 'pinctrl-rp1', base: 571, ngpio: 54, dir: join(root, 'class/gpio/gpiochip571') });
  });

  it('uses whatever base the chip reports, e.g. gpiochip4 at base 399 on an early Pi 5 kernel', async () => {
    const root = fakeRoot();
    buildFakeSysfs(root, [
      { label: 'gpio-brcmstb@107d508500', base: 0, ngpio: 32, dirName: 'gpiochip0' },
      { label: 'pinctrl-rp1', base: 399, ngpio: 54, dirName: 'gpiochip4' },
    ]);
    expect((await resolveBcmPin(4, { sysfsRoot: root })).sysfsNumber).toBe(403);
  });

  it('falls back to pinctrl-bcm2711 on a Pi 4', async () => {
    const root = fakeRoot();
    buildFakeSysfs(root, [
      { label: 'raspberrypi-exp-gpio', base: 504, ngpio: 8 },
      { label: 'pinctrl-bcm2711', base: 512, ngpio: 58 },
    ]);
    expect((await resolveBcmPin(27, { sysfsRoot: root })).sysfsNumber).toBe(539);
  });

  it('prefers pinctrl-rp1 over an older header chip label when both are present', async () => {
    const root = fakeRoot();
    buildFakeSysfs(root, [
      { label: 'pinctrl-bcm2835', base: 100, ngpio: 54 },
      { label: 'pinctrl-rp1', base: 571, ngpio: 54 },
    ]);
    expect((await findHeaderChip({ sysfsRoot: root })).label).toBe('pinctrl-rp1');
  });

  it('fails with E_GPIO_NO_CHIP listing the chips it saw when no header chip is present', async () => {
    const root = fakeRoot();
    buildFakeSysfs(root, [{ label: 'gpio-mockup-A', base: 0, ngpio: 8 }]);
    const error = await resolveBcmPin(17, { sysfsRoot: root }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_GPIO_NO_CHIP', path: join(root, 'class/gpio') });
    expect((error as Error).message).toContain('pinctrl-rp1');
    expect((error as Error).message).toContain('gpiochip0 [gpio-mockup-A]');
  });

  it('fails with E_GPIO_NO_SYSFS naming the directory when the sysfs GPIO class is absent', async () => {
    const root = fakeRoot();
    await expect(resolveBcmPin(17, { sysfsRoot: root })).rejects.toMatchObject({ code: 'E_GPIO_NO_SYSFS', path: join(root, 'class/gpio') });
  });

  it('fails with E_GPIO_PIN_RANGE naming the chip for a BCM number past its last line', async () => {
    const root = fakeRoot();
    buildFakeSysfs(root, PI5_CHIPS);
    await expect(resolveBcmPin(54, { sysfsRoot: root })).rejects.toMatchObject({ code: 'E_GPIO_PIN_RANGE', path: join(root, 'class/gpio/gpiochip571') });
    expect((await resolveBcmPin(53, { sysfsRoot: root })).sysfsNumber).toBe(624);
  });

  it('rejects a negative or fractional BCM number with E_GPIO_PIN_INVALID', async () => {
    await expect(resolveBcmPin(-1)).rejects.toMatchObject({ code: 'E_GPIO_PIN_INVALID' });
    await expect(resolveBcmPin(1.5)).rejects.toMatchObject({ code: 'E_GPIO_PIN_INVALID' });
  });

  it('fails with E_GPIO_CHIP_UNREADABLE naming the file when base is not a number', async () => {
    const root = fakeRoot();
    const classDir = buildFakeSysfs(root, PI5_CHIPS);
    writeFileSync(join(classDir, 'gpiochip571', 'base'), 'garbage\n');
    await expect(resolveBcmPin(17, { sysfsRoot: root })).rejects.toMatchObject({
      code: 'E_GPIO_CHIP_UNREADABLE',
      path: join(classDir, 'gpiochip571', 'base'),
    });
  });
});
