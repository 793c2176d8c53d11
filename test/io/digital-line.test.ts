// Runs the DigitalLine contract on the fake, on the libgpiod-tools line (fake v2 tools), and on real pins when named.
import { afterAll, describe } from 'vitest';
import { createFakeDigitalLine } from '../../drivers/io/gpio/fake-line.ts';
import { openGpiodLine } from '../../drivers/io/gpio/gpiod-line.ts';
import { openOnoffLine } from '../../drivers/io/gpio/onoff-line.ts';
import type { Level } from '../../drivers/io/types.ts';
import { digitalLineContract, type DigitalLineSubject } from './contracts/digital-line.contract.ts';
import { FakeGpiodSystem } from './fixtures/fake-gpiod.ts';

describe('DigitalLine contract: in-memory fake', () => {
  digitalLineContract({
    capabilities: { input: true, edges: true },
    openOutput: async (initial) => createFakeDigitalLine({ direction: 'out', initial }),
    async openInput() {
      const line = createFakeDigitalLine({ direction: 'in' });
      return { line, drive: async (levels) => line.driveSequence(levels) };
    },
  });
});

describe('DigitalLine contract: libgpiod v2 tools adapter (fake gpiodetect/gpioget/gpioset/gpiomon on PATH)', () => {
  const system = new FakeGpiodSystem([
    { name: 'gpiochip0', label: 'pinctrl-rp1', ngpio: 54 },
    { name: 'gpiochip10', label: 'gpio-brcmstb@107d508500', ngpio: 32 },
  ]);
  afterAll(() => system.dispose());
  let offset = 0; // a fresh line per test: no state leaks between tests
  digitalLineContract({
    capabilities: { input: true, edges: true },
    openOutput: (initial) => openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: offset++, direction: 'out', initial, runner: system.runner }),
    async openInput() {
      const lineOffset = offset++;
      const line = await openGpiodLine({ chipLabel: 'pinctrl-rp1', offset: lineOffset, direction: 'in', runner: system.runner });
      return { line, drive: async (levels: readonly Level[]) => system.drive('gpiochip0', lineOffset, levels) };
    },
  });
});

// Real pins: HASN_TEST_GPIO_CHIP (chip label, e.g. pinctrl-rp1) and HASN_TEST_GPIO_LINE (offset = BCM number on the
// header chips) name a free pin; HASN_TEST_GPIO_LOOP_LINE optionally names a second pin wired to it, which then
// drives it so the input and edge tests run too.
const chipLabel = process.env.HASN_TEST_GPIO_CHIP;
const lineOffset = process.env.HASN_TEST_GPIO_LINE === undefined ? undefined : Number(process.env.HASN_TEST_GPIO_LINE);
const loopOffset = process.env.HASN_TEST_GPIO_LOOP_LINE === undefined ? undefined : Number(process.env.HASN_TEST_GPIO_LOOP_LINE);
const hardware = chipLabel !== undefined && lineOffset !== undefined;

function hardwareSubject(open: (offset: number, direction: 'in' | 'out', initial: Level) => ReturnType<typeof openGpiodLine>): DigitalLineSubject {
  return {
    capabilities: { input: loopOffset !== undefined, edges: loopOffset !== undefined },
    openOutput: (initial) => open(lineOffset!, 'out', initial),
    async openInput() {
      const line = await open(lineOffset!, 'in', 0);
      const driver = await open(loopOffset!, 'out', 0);
      return {
        line: {
          name: line.name,
          direction: line.direction,
          read: () => line.read(),
          write: (v) => line.write(v),
          watch: (cb, o) => line.watch(cb, o),
          close: async () => {
            await line.close();
            await driver.close();
          },
        },
        async drive(levels) {
          for (const level of levels) await driver.write(level);
        },
      };
    },
  };
}

describe.skipIf(!hardware)('DigitalLine contract: libgpiod tools on a real pin (requires HASN_TEST_GPIO_CHIP and HASN_TEST_GPIO_LINE)', () => {
  digitalLineContract(hardwareSubject((offset, direction, initial) => openGpiodLine({ chipLabel: chipLabel!, offset, direction, initial })));
});

describe.skipIf(!hardware)('DigitalLine contract: onoff on a real pin (requires HASN_TEST_GPIO_CHIP and HASN_TEST_GPIO_LINE)', () => {
  digitalLineContract(hardwareSubject((bcm, direction, initial) => openOnoffLine({ bcm, direction, initial, chipLabels: [chipLabel!] })));
});
