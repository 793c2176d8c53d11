// The live dashboard in a real headless browser (Debian chromium via playwright-core): it loads, the raster receives spikes, the learning curve is drawn, screenshots are saved.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENSORIMOTOR_SIMULATION } from '../../agent/config/simulation.ts';
import { startTestAgent, tempDir, testConfig, type StartedAgent } from './helpers.ts';
import { sensorimotorSpecFile, startSimLearner } from './sim-learning.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = join(process.cwd(), 'test-results', 'agent-dashboard.png');
const LEARNING_SCREENSHOT = join(process.cwd(), 'test-results', 'agent-dashboard-learning.png');
/**
 * The page's document as the checks below see it. They run inside the browser (serialised by playwright, so they
 * cannot use anything from this module), and this project's type-check has no DOM types: hence this minimal shape.
 */
type PageDocument = { getElementById(id: string): any; querySelectorAll(selector: string): any };
type PageGlobal = { document: PageDocument };
const spikesReceived = (more: number) => Number((globalThis as unknown as PageGlobal).document.getElementById('spike-count').dataset.spikes) > more;

let dir: ReturnType<typeof tempDir>;
let profile: string;
let started: StartedAgent;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (test/setup.sh does)`);
  dir = tempDir('hasn-dashboard-');
  profile = mkdtempSync(join(tmpdir(), 'hasn-chromium-'));
  // What `npm start` runs: the sensorimotor example with its simulated sensors, motor actuators and reward rule.
  started = await startTestAgent(testConfig(dir.path, { ...SENSORIMOTOR_SIMULATION, http: { port: 0, host: '127.0.0.1', anonymous_role: 'operator' } }));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
});
afterAll(async () => {
  await browser?.close();
  await started?.stop();
  dir?.remove();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('loads, draws a live spike raster with rates and sensor values, and is saved as a screenshot', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${started.agent.url}/`);
    // The title comes with the stream's first event, after the page has loaded.
    await page.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title === 'HASN test-agent', undefined, { timeout: 10_000 });
    // The raster has received spikes over SSE …
    await page.waitForFunction(spikesReceived, 500, { timeout: 15_000 });
    // … and a full window has scrolled by, with rates and sensor values filled in.
    await page.waitForTimeout(2200);
    const view = await page.evaluate(() => {
      const d = (globalThis as unknown as PageGlobal).document;
      return {
        state: d.getElementById('state').textContent as string,
        populations: d.querySelectorAll('#populations tr').length as number,
        sensors: [...d.querySelectorAll('#sensors tr td:first-child')].map((td: { textContent: string }) => td.textContent),
        actuators: d.querySelectorAll('#actuators tr').length as number,
        brain: d.getElementById('brain').textContent as string,
      };
    });
    expect(view).toMatchObject({ state: 'running', populations: 6, sensors: ['light_left', 'light_right', 'proximity'], actuators: 3 });
    expect(view.brain).toMatch(/^sensorimotor · step \d+$/);
    // The canvas shows marks: count non-background pixels in the plot area.
    const painted = await page.evaluate(() => {
      const canvas = (globalThis as unknown as PageGlobal).document.getElementById('raster');
      const { data } = canvas.getContext('2d').getImageData(Math.round(canvas.width * 0.2), 0, Math.round(canvas.width * 0.75), canvas.height) as { data: Uint8ClampedArray };
      let lit = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! > 200) lit++;
      return lit;
    });
    expect(painted).toBeGreaterThan(1000);
    // The reward button goes through the API as the operator.
    await page.click('#reward-plus');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobal).document.getElementById('action-result').textContent === 'reward +1: done');
    mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
    expect(errors).toEqual([]);
  });

  it('draws the learning curve of a brain that has learned, with its success rate and reward by origin', async () => {
    const own = tempDir('hasn-dashboard-learning-');
    // Two simulated minutes on a manual clock: the curve the page receives in full when it connects.
    const learner = await startSimLearner(join(own.path, 'data'), { brain: { spec: sensorimotorSpecFile(own.path) }, http: { port: 0, host: '127.0.0.1', anonymous_role: 'viewer' } });
    try {
      learner.run(120);
      const expected = learner.agent.learning().rules[0]!;
      const page = await browser.newPage();
      await page.goto(`${learner.agent.url}/`);
      await page.waitForFunction(() => Number((globalThis as unknown as PageGlobal).document.getElementById('learning').dataset.points) > 0, undefined, { timeout: 10_000 });
      const view = await page.evaluate(() => {
        const d = (globalThis as unknown as PageGlobal).document;
        const table = d.getElementById('learning');
        const canvas = d.getElementById('learning-curve');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height) as { data: Uint8ClampedArray };
        // The curve's colour (#4cc38a, the fourth fallback colour): its pixels are the line.
        let line = 0;
        for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - 0x4c) < 40 && Math.abs(data[i + 1]! - 0xc3) < 40 && Math.abs(data[i + 2]! - 0x8a) < 40) line++;
        return {
          points: Number(table.dataset.points),
          success: Number(table.dataset.success),
          rows: [...d.querySelectorAll('#learning tr')].map((tr: { textContent: string }) => tr.textContent),
          window: d.getElementById('curve-window').textContent as string,
          line,
        };
      });
      expect(view.points).toBe(expected.curve.length);
      expect(view.success).toBeCloseTo(expected.recent.success_rate!, 6);
      expect(view.window).toBe('20');
      expect(view.rows[0]).toMatch(/^steer ← argmax\(light_left, light_right\)success \d+ %decided \d+ % · \d+ decisions$/);
      expect(view.rows.some((r: string) => r.startsWith('reward received') && r.includes('rule '))).toBe(true);
      expect(view.rows.some((r: string) => r.startsWith('hidden_to_motor'))).toBe(true);
      expect(view.line).toBeGreaterThan(200);
      mkdirSync(join(process.cwd(), 'test-results'), { recursive: true });
      await page.screenshot({ path: LEARNING_SCREENSHOT, fullPage: true });
      await page.close();
    } finally {
      await learner.stop();
      own.remove();
    }
  });

  it('asks for a token when the agent shows nothing anonymously, then connects with it', async () => {
    const own = tempDir('hasn-dashboard-token-');
    const locked = await startTestAgent(testConfig(own.path, { http: { port: 0, host: '127.0.0.1', anonymous_role: 'none' } }));
    try {
      const viewer = locked.agent.tokens.create({ name: 'browser', role: 'viewer' }).token;
      const page = await browser.newPage();
      await page.goto(`${locked.agent.url}/`);
      await page.waitForSelector('#token-form:not([hidden])', { timeout: 10_000 });
      await page.fill('#token-input', viewer);
      await page.click('#token-form button');
      await page.waitForFunction(spikesReceived, 0, { timeout: 10_000 });
      await page.close();
    } finally {
      await locked.stop();
      own.remove();
    }
  });
});
