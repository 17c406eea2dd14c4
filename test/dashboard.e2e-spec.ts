/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startFleetfm, stopFleetfm, type RunningFleetfm } from './support/fleetfm-process';

/** The dashboard in a real browser (Debian's Chromium, headless) against `fleetfm start`. */
describe('dashboard (browser)', () => {
  jest.setTimeout(120_000);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleetfm-dash-'));
  let fleetfm: RunningFleetfm;
  let browser: Browser;

  beforeAll(async () => {
    fleetfm = await startFleetfm(dataDir, { SIM_VEHICLES: '3', SIM_TIME_SCALE: '10' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (fleetfm) expect(await stopFleetfm(fleetfm)).toBe(0);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows every vehicle and charts the selected one, without script errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${fleetfm.url}/`);
    await page.waitForFunction(() => document.querySelectorAll('tr.vehicle').length === 3, null, {
      timeout: 30_000,
    });
    const ids = await page.$$eval('tr.vehicle td:first-child', (tds) =>
      tds.map((t) => t.textContent),
    );
    expect(ids).toEqual(['veh-001', 'veh-002', 'veh-003']);
    // Four subplots (speed, acceleration, battery current, SOC), each with a drawn line.
    await page.waitForFunction(
      () => document.querySelectorAll('#chart .scatterlayer .trace path.js-line').length >= 4,
      null,
      { timeout: 30_000 },
    );
    await expect(page.textContent('#status')).resolves.toMatch(
      /status ok .*ingested [\d,]+ samples/,
    );
    // Selecting another vehicle re-draws for it.
    await page.click('tr.vehicle:nth-child(2)');
    await page.waitForFunction(() =>
      document.getElementById('title')?.textContent?.startsWith('veh-002'),
    );
    await page.screenshot({ path: path.join(dataDir, 'dashboard.png') });
    expect(errors).toEqual([]);
  });
});
