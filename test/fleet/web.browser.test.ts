// The fleet web page in a real headless browser (Debian chromium via playwright-core): devices with their state,
// a deployment's progress while it runs and after it finished; a screenshot is saved under test-results/.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../agent/contract/bundle.ts';
import { silentLogger } from '../../agent/log.ts';
import { parseHealthGate } from '../../fleet/deploy/plan.ts';
import { DEFAULT_PLAN, runRollout } from '../../fleet/deploy/rollout.ts';
import { startWebServer } from '../../fleet/web/server.ts';
import { fleet } from './fixtures/fleet-fixture.ts';
import { onCleanup } from '../mqtt/fixtures/link-fixture.ts';
import { eventually } from '../mqtt/fixtures/probe.ts';
import { snapshotOf, variantSpec } from '../mqtt/fixtures/sim-control.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(process.cwd(), 'test-results', 'fleet-page.png');
/** The page's document as seen by checks that run in the browser (serialised: they can use nothing from this module; no DOM types here). */
type PageDocument = { querySelectorAll(selector: string): ArrayLike<{ dataset: Record<string, string>; textContent: string | null }>; body: { dataset: Record<string, string> } };

let profile: string;
let browser: BrowserContext;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (test/setup.sh does)`);
  profile = mkdtempSync(join(tmpdir(), 'hasn-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 720 },
  });
});
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('fleet web page', () => {
  it('lists devices with their state and shows a staged deployment progressing to the end', async () => {
    const f = await fleet(['pi-lab-01', 'pi-lab-02', 'pi-lab-03', 'pi-lab-04', 'pi-lab-05', 'pi-lab-06']);
    f.devices[4].control.backend = 'loihi';
    await f.devices[5].link.stop();
    await eventually(() => f.store.device('pi-lab-05')?.state === 'degraded' && f.store.device('pi-lab-06')?.state === 'offline', 5000, 'degraded and offline devices');
    f.store.addToGroup('lab', ['pi-lab-01', 'pi-lab-02', 'pi-lab-03', 'pi-lab-04']);
    const web = await startWebServer(f.store);
    onCleanup(() => web.close());

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${web.url}/`);
    await expect(page.title()).resolves.toBe('HASN fleet');
    await page.waitForFunction(() => (globalThis as unknown as { document: PageDocument }).document.querySelectorAll('#devices tbody tr').length === 6);
    const states = await page.evaluate(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('#devices tbody tr')).map((row) => `${row.dataset.device}:${(row as unknown as { querySelector(s: string): { dataset: Record<string, string> } }).querySelector('[data-state]').dataset.state}`));
    expect(states).toEqual(['pi-lab-01:online', 'pi-lab-02:online', 'pi-lab-03:online', 'pi-lab-04:online', 'pi-lab-05:degraded', 'pi-lab-06:offline']);

    // A staged rollout to the group: canary, then the rest; the page follows it.
    const bundle = buildBundle({ spec: variantSpec(55), snapshot: snapshotOf(variantSpec(55)), name: 'lab-brain' }, 400);
    const bundleId = f.store.deployments.saveBundle(bundle, 'test');
    const rollout = runRollout(f.controller, f.sender, {
      deploymentId: 'd-web-1', bundleId, devices: ['pi-lab-01', 'pi-lab-02', 'pi-lab-03', 'pi-lab-04'], log: silentLogger,
      plan: { ...DEFAULT_PLAN, target: 'group lab', canary: 1, step: { percent: 100 }, soakMs: 1500, stageTimeoutMs: 10_000, gate: parseHealthGate(['spikes.rate_hz>0']) },
    });
    await page.waitForFunction(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('[data-deployment="d-web-1"] [data-state]')).some((b) => b.dataset.state === 'running'), undefined, { timeout: 10_000 });
    await page.waitForFunction(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('[data-deployment="d-web-1"] [data-stage="0"]')).some((s) => /canary: 1\/1/.test(s.textContent ?? '')), undefined, { timeout: 10_000 });
    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-running.png'), fullPage: true });
    const deployment = await rollout;
    expect(deployment.state).toBe('succeeded');
    await page.waitForTimeout(1200);
    await page.waitForFunction(() => Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('[data-deployment="d-web-1"] [data-state]')).some((b) => b.dataset.state === 'succeeded'), undefined, { timeout: 5000 });
    const done = await page.evaluate(() => ({
      stages: Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('[data-deployment="d-web-1"] [data-stage]')).map((s) => s.textContent),
      bar: Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('[data-deployment="d-web-1"] [data-count]')).map((s) => s.dataset.count),
      summary: (globalThis as unknown as { document: PageDocument }).document.querySelectorAll('#summary span')[0]?.textContent,
      brains: Array.from((globalThis as unknown as { document: PageDocument }).document.querySelectorAll('#devices tbody tr'))
        .map((row) => `${row.dataset.device}:${(row as unknown as { querySelector(s: string): { textContent: string | null } }).querySelector('[data-brain]').textContent}`)
        .filter((text) => text.endsWith('tiny-55')),
    }));
    expect(done).toEqual({ stages: ['canary: 1/1', 'step 1: 3/3'], bar: ['healthy'], summary: '6 devices', brains: ['pi-lab-01', 'pi-lab-02', 'pi-lab-03', 'pi-lab-04'].map((id) => `${id}:tiny-55`) });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
  });
});
