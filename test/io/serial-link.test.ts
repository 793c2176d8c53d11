// Runs the SerialLink contract on every implementation: fake cable, socat pty pair, mock binding, real hardware.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { describe } from 'vitest';
import { createFakeSerialCable } from '../../drivers/io/serial/fake-link.ts';
import { createSerialportLink } from '../../drivers/io/serial/serialport-link.ts';
import type { Framing } from '../../drivers/io/types.ts';
import { serialLinkContract, type SerialLinkSubject } from './contracts/serial-link.contract.ts';
import { socatAvailable, startSocatPair } from './fixtures/socat-pair.ts';

// serialport loads binding-mock through require(); an ESM import would get a second copy (the package ships separate
// CJS and ESM builds) whose createPort() the adapter's SerialPortMock would never see.
// (Its package exports carry no types condition, so the part we use is declared here.)
interface MockBindingApi {
  createPort(path: string, options?: { echo?: boolean; record?: boolean }): void;
}
const { MockBinding } = createRequire(import.meta.url)('@serialport/binding-mock') as { MockBinding: MockBindingApi };

const fastBackoff = { initialMs: 10, maxMs: 100 };
let missingCounter = 0;
const missingPath = () => join(tmpdir(), `hasn-no-such-tty-${process.pid}-${missingCounter++}`);

const fakeCable: SerialLinkSubject = {
  capabilities: { inject: true, unplug: true },
  async connect<F>(framing: Framing<F>) {
    const cable = createFakeSerialCable(framing, { backoff: fastBackoff });
    return {
      a: cable.a,
      b: cable.b,
      injectIntoB: async (bytes: Uint8Array) => cable.inject('b', bytes),
      unplug: async () => cable.unplug(),
      replug: async () => cable.replug(),
      dispose: async () => {
        await cable.a.close();
        await cable.b.close();
      },
    };
  },
  missing<F>(framing: Framing<F>) {
    const cable = createFakeSerialCable(framing, { pathA: missingPath() });
    cable.unplug();
    return cable.a;
  },
};

const socatPty: SerialLinkSubject = {
  capabilities: { inject: true, unplug: true },
  async connect<F>(framing: Framing<F>) {
    const pair = await startSocatPair();
    const a = createSerialportLink(framing, { path: pair.pathA, backoff: fastBackoff, presenceCheckMs: 50 });
    const b = createSerialportLink(framing, { path: pair.pathB, backoff: fastBackoff, presenceCheckMs: 50 });
    return {
      a,
      b,
      // A second writer on A's pty: its bytes reach B exactly like the sender's.
      async injectIntoB(bytes: Uint8Array) {
        const fd = openSync(pair.pathA, constants.O_RDWR | constants.O_NOCTTY);
        try {
          writeSync(fd, bytes);
        } finally {
          closeSync(fd);
        }
      },
      unplug: () => pair.stop(),
      replug: () => pair.start(),
      async dispose() {
        await a.close();
        await b.close();
        await pair.dispose();
      },
    };
  },
  missing: <F>(framing: Framing<F>) => createSerialportLink(framing, { path: missingPath() }),
};

function loopbackSubject(binding: 'mock' | 'system', path: () => string): SerialLinkSubject {
  return {
    capabilities: { inject: false, unplug: false },
    async connect<F>(framing: Framing<F>) {
      const link = createSerialportLink(framing, { path: path(), binding });
      return {
        a: link,
        b: link,
        async dispose() {
          await link.close();
        },
      };
    },
    missing: <F>(framing: Framing<F>) => createSerialportLink(framing, { path: missingPath(), binding }),
  };
}

describe('SerialLink contract: in-memory fake cable', () => {
  serialLinkContract(fakeCable);
});

describe.skipIf(!socatAvailable)('SerialLink contract: serialport adapter on a socat pty pair (requires socat)', () => {
  serialLinkContract(socatPty);
});

describe('SerialLink contract: serialport adapter on @serialport/binding-mock (echo loopback)', () => {
  serialLinkContract(
    loopbackSubject('mock', () => {
      const path = `/dev/MOCK-${missingCounter++}`;
      MockBinding.createPort(path, { echo: true });
      return path;
    }),
  );
});

const hardwarePort = process.env.HASN_TEST_SERIAL;
describe.skipIf(!hardwarePort)('SerialLink contract: real serial port (requires HASN_TEST_SERIAL=<port with TX wired to RX>)', () => {
  serialLinkContract(loopbackSubject('system', () => hardwarePort!));
});
