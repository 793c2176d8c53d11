// libgpiod-tools line specifics: chip lookup by label, process ownership of lines, and failures of the tools.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openGpiodLine, parseGpiodetect } from '../../drivers/io/gpio/gpiod-line.ts';
import { processToolRunner } from '../../drivers/io/gpio/tool-runner.ts';
import { FakeGpiodSystem } from './fixtures/fake-gpiod.ts';

const system = new FakeGpiodSystem([
  { name: 'gpiochip0', label: 'pinctrl-rp1', ngpio: 54 },
  { name: 'gpiochip10', label: 'gpio-brcmstb@107d508500', ngpio: 32 },
]);
afterAll(() => system.dispose());
const runner = system.runner;

describe('libgpiod v2 tools line', () => {
  it('parses gpiodetect output into chip name, label and line count', () => {
    expect(parseGpiodetect('gpiochip0 [pinctrl-rp1] (54 lines)\ngpiochip10 [gpio-brcmstb@107d508500] (32 lines)\n')).toEqual([
      { name: 'gpiochip0', label: 'pinctrl-rp1', lines: 54 },
      { name: 'gpiochip10', label: 'gpio-brcmstb@107d508500', lines: 32 },
    ]);
  });

  it('addresses the chip by label: gpioset drives offset 5 of gpiochip0, not gpiochip10', async () => {
    const line = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 5, direction: 'out', initial: 1, runner });
    expect(line.name).toBe('pinctrl-rp1:5 (gpiochip0)');
    expect(system.value('gpiochip0', 5)).toBe(1);
    expect(system.value('gpiochip10', 5)).toBe(0);
    await line.close();
  });

  it('holds an output with one gpioset process, replaces it on write, and releases the line on close', async () => {
    const line = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 6, direction: 'out', runner });
    const firstHolder = system.owner('gpiochip0', 6);
    expect(firstHolder).toBeGreaterThan(0);
    await line.write(1);
    expect(system.value('gpiochip0', 6)).toBe(1);
    expect(system.owner('gpiochip0', 6)).not.toBe(firstHolder);
    await line.close();
    expect(system.owner('gpiochip0', 6)).toBeUndefined();
  });

  it('fails with E_GPIO_IO quoting the tool when another process already holds the line', async () => {
    const holder = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 7, direction: 'out', runner });
    const error = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 7, direction: 'in', runner }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_GPIO_IO' });
    expect((error as Error).message).toMatch(/Device or resource busy/);
    await holder.close();
  });

  it('fails with E_GPIO_NO_CHIP listing the chips gpiodetect reported', async () => {
    const error = await openGpiodLine({ chipLabel: 'pinctrl-bcm2711', offset: 1, direction: 'out', runner }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_GPIO_NO_CHIP', path: 'pinctrl-bcm2711' });
    expect((error as Error).message).toContain('gpiochip0 [pinctrl-rp1]');
  });

  it('fails with E_GPIO_PIN_RANGE for an offset past the chip, before starting any holder', async () => {
    await expect(openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 54, direction: 'out', runner })).rejects.toMatchObject({
      code: 'E_GPIO_PIN_RANGE',
      path: 'gpiochip0',
    });
  });

  it('fails with E_GPIO_TOOL_MISSING naming the Debian package when the tools are not installed', async () => {
    const noTools = processToolRunner({ env: { PATH: '/nonexistent' } });
    const error = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 1, direction: 'out', runner: noTools }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_GPIO_TOOL_MISSING', path: 'gpiodetect' });
    expect((error as Error).message).toContain('gpiod');
  });

  it('tells watchers and readers when the gpiomon process dies', async () => {
    const line = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 8, direction: 'in', runner });
    const failures: Error[] = [];
    line.watch(() => undefined, { onError: (error) => failures.push(error) });
    process.kill(system.owner('gpiochip0', 8)!, 'SIGKILL');
    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 5000 });
    expect(failures[0]).toMatchObject({ code: 'E_GPIO_IO' });
    await expect(line.read()).rejects.toMatchObject({ code: 'E_GPIO_IO' });
    await line.close();
  });

  it('starts an input at the level the pin already has', async () => {
    system.drive('gpiochip0', 9, [1]);
    const line = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: 9, direction: 'in', runner });
    expect(await line.read()).toBe(1);
    await line.close();
  });
});
