// What the browser tests share: settings, page helpers, the server under test (on SQLite or in a
// fresh PostgreSQL schema), one Chromium per test file, and `onEachBackend`, which runs a flow of
// steps once per database.
//
// Environment: see README.md beside this file.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

// ---------------------------------------------------------------------------------------------
// Settings

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-output', 'screenshots');

const SERVER_BIN = process.env.KMP_TEST_BIN
  ? path.resolve(REPO_ROOT, process.env.KMP_TEST_BIN)
  : path.resolve(REPO_ROOT, process.env.CARGO_TARGET_DIR || 'target', 'debug', 'hello-kmp');

const CHROMIUM_BIN = process.env.KMP_TEST_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-quic',
  '--disable-component-update',
  '--disable-sync',
];

const PG_BASE_URL = process.env.KMP_TEST_PG || 'postgres://postgres@127.0.0.1:5432/test';

// Which backends to run; both by default. KMP_TEST_BACKENDS=sqlite runs only SQLite.
const BACKENDS = (process.env.KMP_TEST_BACKENDS || 'sqlite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const SERVER_START_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 15_000;
const NAVIGATION_TIMEOUT_MS = 30_000;
const STEP_TIMEOUT_MS = 120_000;

export const PHONE = { viewport: { width: 390, height: 844 }, locale: 'bn-BD', isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'bn-BD' };
/** A tablet held upright: the console must read well here too. */
export const TABLET = { viewport: { width: 768, height: 1024 }, locale: 'bn-BD' };

// ---------------------------------------------------------------------------------------------
// Small helpers

const BN_DIGITS = '০১২৩৪৫৬৭৮৯';

/** Bangla digits to ASCII digits; everything else is left alone. */
export function bnToAscii(text) {
  return [...text].map((c) => {
    const i = BN_DIGITS.indexOf(c);
    return i >= 0 ? String(i) : c;
  }).join('');
}

export function randomToken(bytes = 4) {
  return randomBytes(bytes).toString('hex');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(text, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

/** The text of a page, shortened, for failure messages. */
async function pageSummary(page) {
  if (!page || page.isClosed()) return '(no page)';
  let body = '';
  try {
    body = await page.evaluate(() => document.body ? document.body.innerText : document.documentElement.outerHTML);
  } catch (err) {
    body = `(could not read the page: ${err.message})`;
  }
  body = body.replace(/\n{2,}/g, '\n').trim();
  if (body.length > 1500) body = body.slice(0, 1500) + ' …';
  return `URL: ${page.url()}\nPage text:\n${body}`;
}

/** Click something that submits a form or follows a link, and wait for the new page. */
export async function clickAndWaitForPage(page, selector) {
  const navigation = page.waitForNavigation({ waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
  await page.click(selector);
  return navigation;
}

export async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function textOf(page, selector) {
  const el = await page.$(selector);
  assert.ok(el, `expected an element "${selector}" on the page, found none`);
  return (await el.textContent()).trim();
}

/** The trimmed texts of every element matching a selector. */
export async function textsOf(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));
}

/** The path of the page the browser shows. */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

const BENGALI_SCRIPT = /[\u0980-\u09FF]/;

/**
 * The page is in Bangla: `<html lang="bn">` and its heading written in Bengali script. No
 * language was chosen in these browsers, so this is the default.
 */
export async function assertBangla(page) {
  const lang = await page.evaluate(() => document.documentElement.lang);
  assert.equal(lang, 'bn', `${pathOf(page)} is not in Bangla by default: <html lang="${lang}">`);
  const heading = await textOf(page, 'h1');
  assert.match(heading, BENGALI_SCRIPT, `the heading of ${pathOf(page)} is not in Bangla: ${JSON.stringify(heading)}`);
}

/** The hrefs of the queue's tip links (`a.tip-link`) by their text, the tip's reference. */
export async function queueLinks(page) {
  return page.$$eval('a.tip-link',
    (els) => els.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') })));
}

// ---------------------------------------------------------------------------------------------
// The server under test

const liveServers = new Set();

/**
 * Starts `hello-kmp serve` on a free port with a fresh data folder, waits until /healthz says 200
 * and the first-start admin credentials were printed on stdout.
 */
async function startServer({ backend, databaseUrl }) {
  if (!existsSync(SERVER_BIN)) {
    throw new Error(
      `The server binary is missing: ${SERVER_BIN}\n` +
      'Build it first (cargo build -p hello-kmp), or point KMP_TEST_BIN / CARGO_TARGET_DIR at it.',
    );
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `hello-kmp-browser-${backend}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`];
  if (databaseUrl) args.push('--database-url', databaseUrl);

  // The server must not pick up a database or settings file from the caller's environment.
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.HELLO_KMP_CONFIG;

  const child = spawn(SERVER_BIN, args, { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const server = { backend, base, dataDir, child, stdout: '', stderr: '', exited: null };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { server.stdout += d; });
  child.stderr.on('data', (d) => { server.stderr += d; });
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => { server.exited = { code, signal }; resolve(); });
    child.on('error', (err) => { server.exited = { error: err }; resolve(); });
  });
  server.exitPromise = exitPromise;
  liveServers.add(server);

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  let healthy = false;
  let lastHealth = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.exited) break;
    if (!healthy) {
      try {
        const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) });
        lastHealth = `HTTP ${res.status}`;
        healthy = res.status === 200;
      } catch (err) {
        lastHealth = err.cause?.code || err.message;
      }
    }
    const user = server.stdout.match(/username:\s*(\S+)/);
    const pass = server.stdout.match(/one-time password:\s*(\S+)/);
    if (healthy && user && pass) {
      server.username = user[1];
      server.password = pass[1];
      return server;
    }
    await sleep(200);
  }

  const problems = [];
  if (server.exited) problems.push(`the server exited early (${JSON.stringify(server.exited)})`);
  if (!healthy) problems.push(`GET /healthz never answered 200 (last: ${lastHealth})`);
  if (!/username:\s*\S+/.test(server.stdout)) {
    problems.push('no line "username: …" on stdout' +
      (/username:\s*\S+/.test(server.stderr) ? ' (it was printed on stderr instead)' : ''));
  }
  if (!/one-time password:\s*\S+/.test(server.stdout)) {
    problems.push('no line "one-time password: …" on stdout' +
      (/one-time password:\s*\S+/.test(server.stderr) ? ' (it was printed on stderr instead)' : ''));
  }
  await stopServer(server);
  throw new Error(
    `The ${backend} server did not get ready (waited up to ${SERVER_START_TIMEOUT_MS / 1000} s): ${problems.join('; ')}.\n` +
    `Command: ${SERVER_BIN} ${args.join(' ')}\n` +
    `--- stdout (tail) ---\n${tail(server.stdout)}\n--- stderr (tail) ---\n${tail(server.stderr)}`,
  );
}

async function stopServer(server) {
  if (!server) return;
  if (!server.exited) {
    server.child.kill('SIGTERM');
    const stopped = await Promise.race([server.exitPromise.then(() => true), sleep(5_000).then(() => false)]);
    if (!stopped) {
      server.child.kill('SIGKILL');
      await server.exitPromise;
    }
  }
  liveServers.delete(server);
  if (!process.env.KMP_TEST_KEEP_DATA) {
    await rm(server.dataDir, { recursive: true, force: true });
  }
}

// Never leave a server behind, even when the runner is interrupted.
process.on('exit', () => {
  for (const s of liveServers) {
    if (!s.exited) s.child.kill('SIGKILL');
  }
});

// ---------------------------------------------------------------------------------------------
// PostgreSQL: one fresh schema per run

function psql(sql) {
  const res = spawnSync('psql', [PG_BASE_URL, '-v', 'ON_ERROR_STOP=1', '-q', '-X', '-c', sql], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.error) throw new Error(`could not run psql: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`psql failed (${sql}): ${res.stderr.trim()}`);
}

function withSearchPath(url, schema) {
  return `${url}${url.includes('?') ? '&' : '?'}options=-csearch_path%3D${schema}`;
}

// ---------------------------------------------------------------------------------------------
// One Chromium per test file

let browser;
let browserHooked = false;

function useBrowser() {
  if (browserHooked) return;
  browserHooked = true;
  before(async () => {
    if (!existsSync(CHROMIUM_BIN)) {
      throw new Error(`No Chromium at ${CHROMIUM_BIN}: install the Debian package "chromium" (or set KMP_TEST_CHROMIUM).`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS, timeout: 60_000 });
  });
  after(async () => {
    if (browser) await browser.close();
  });
}

// ---------------------------------------------------------------------------------------------
// A flow of steps, once per backend

/** One run of a flow on one backend: its server, its browser contexts, its first failure. */
class BackendRun {
  constructor(backend) {
    this.backend = backend;
    this.server = null;
    this.schema = null;
    this.contexts = [];
    /** The name of the first step that failed, if any. */
    this.broken = null;
  }

  async start() {
    let databaseUrl;
    if (this.backend === 'postgres') {
      this.schema = `browser_${randomToken(5)}`;
      psql(`CREATE SCHEMA ${this.schema}`);
      databaseUrl = withSearchPath(PG_BASE_URL, this.schema);
    } else if (this.backend !== 'sqlite') {
      throw new Error(`unknown backend "${this.backend}" in KMP_TEST_BACKENDS`);
    }
    this.databaseUrl = databaseUrl;
    this.server = await startServer({ backend: this.backend, databaseUrl });
  }

  /**
   * Runs a `hello-kmp` command (such as `import boundaries …`) against this run's data folder and
   * database, beside the running server; answers { status, stdout, stderr }.
   */
  cli(args) {
    const all = [...args, '--data-dir', this.server.dataDir];
    if (this.databaseUrl) all.push('--database-url', this.databaseUrl);
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.HELLO_KMP_CONFIG;
    const res = spawnSync(SERVER_BIN, all, { cwd: this.server.dataDir, env, encoding: 'utf8', timeout: 60_000 });
    if (res.error) throw new Error(`could not run ${SERVER_BIN}: ${res.error.message}`);
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  }

  async stop() {
    for (const c of this.contexts) await c.close().catch(() => {});
    await stopServer(this.server);
    if (this.schema) {
      try {
        psql(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
      } catch (err) {
        console.error(`could not drop schema ${this.schema}: ${err.message}`);
      }
    }
    if (this.broken && this.server) {
      console.error(`--- ${this.backend} server stderr (tail) ---\n${tail(this.server.stderr, 30)}`);
    }
  }

  /** A fresh browser context (own cookies), closed when the run ends. */
  async newContext(options) {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
    this.contexts.push(context);
    return context;
  }

  /**
   * One step of the flow. A step that depends on an earlier one is skipped once something
   * failed, so that only the first real failure is reported. On failure the page the step put in
   * `local.page` is screenshotted and its URL and text are added to the message.
   */
  step(name, fn, { independent = false } = {}) {
    it(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
      if (!independent && this.broken) {
        t.skip(`an earlier step failed: ${this.broken}`);
        return;
      }
      const local = { page: null };
      try {
        await fn(local);
      } catch (err) {
        if (!independent) this.broken = name;
        const page = local.page;
        let shot = '';
        if (page && !page.isClosed()) {
          const safe = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
          shot = await screenshot(page, `failure-${this.backend}-${safe}`).catch(() => '');
        }
        err.message = `[${this.backend}] ${name}: ${err.message}\n${await pageSummary(page)}` +
          (shot ? `\nScreenshot: ${shot}` : '');
        throw err;
      }
    });
  }
}

/**
 * Defines the suite `title` once per backend: a server of its own is started before its steps and
 * stopped after them. `define(run)` declares the steps with `run.step(..)`; `run.server` is set
 * once the steps run.
 */
export function onEachBackend(title, define) {
  useBrowser();
  for (const backend of BACKENDS) {
    describe(`${title} on ${backend}`, { timeout: 10 * STEP_TIMEOUT_MS }, () => {
      const run = new BackendRun(backend);
      before(() => run.start());
      after(() => run.stop());
      define(run);
    });
  }
}
