// End-to-end browser test of the secret-tip flow of Hello KMP.
//
// Starts the real `hello-kmp` binary (once on SQLite, once on PostgreSQL in a fresh schema),
// drives the system Chromium through playwright-core, and walks the whole path a tip takes:
// citizen sends it (Bangla, phone screen) -> gets a receipt -> officer reads it and asks a
// question in the console -> citizen comes back with the receipt, reads the question, answers.
//
// Run from tests/browser:  npm ci && node --test
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

const PHONE = { viewport: { width: 390, height: 844 }, locale: 'bn-BD', isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'bn-BD' };

// ---------------------------------------------------------------------------------------------
// Small helpers

const BN_DIGITS = '০১২৩৪৫৬৭৮৯';

/** Bangla digits to ASCII digits; everything else is left alone. */
function bnToAscii(text) {
  return [...text].map((c) => {
    const i = BN_DIGITS.indexOf(c);
    return i >= 0 ? String(i) : c;
  }).join('');
}

function randomToken(bytes = 4) {
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
async function clickAndWaitForPage(page, selector) {
  const navigation = page.waitForNavigation({ waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
  await page.click(selector);
  return navigation;
}

async function screenshot(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

async function textOf(page, selector) {
  const el = await page.$(selector);
  assert.ok(el, `expected an element "${selector}" on the page, found none`);
  return (await el.textContent()).trim();
}

/** The trimmed texts of every element matching a selector. */
async function textsOf(page, selector) {
  return page.$$eval(selector, (els) => els.map((e) => e.textContent.trim()));
}

// ---------------------------------------------------------------------------------------------
// The server under test

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

const liveServers = new Set();

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
// The flow, once per backend

let browser;

before(async () => {
  if (!existsSync(CHROMIUM_BIN)) {
    throw new Error(`No Chromium at ${CHROMIUM_BIN}: install the Debian package "chromium" (or set KMP_TEST_CHROMIUM).`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS, timeout: 60_000 });
});

after(async () => {
  if (browser) await browser.close();
});

async function newContext(options) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
  return context;
}

for (const backend of BACKENDS) {
  describe(`secret tip flow on ${backend}`, { timeout: 10 * STEP_TIMEOUT_MS }, () => {
    let server;
    let schema;
    const contexts = [];
    // What the steps hand on to each other.
    const flow = {
      marker: randomToken(3),
      description: '',
      receiptBn: '',
      receiptAscii: '',
      reference: '',
      question: 'আপনি কি সময়টা বলতে পারবেন?',
      answer: '',
      broken: null,
      citizenPage: null,
    };
    flow.description = `সোনাডাঙ্গা বাসস্ট্যান্ডের পেছনে রাতে ইয়াবা বিক্রি হয় ${flow.marker}`;
    flow.answer = `প্রতি রাতে এগারোটার পরে, চিহ্ন ${flow.marker}`;

    before(async () => {
      let databaseUrl;
      if (backend === 'postgres') {
        schema = `browser_${randomToken(5)}`;
        psql(`CREATE SCHEMA ${schema}`);
        databaseUrl = withSearchPath(PG_BASE_URL, schema);
      } else if (backend !== 'sqlite') {
        throw new Error(`unknown backend "${backend}" in KMP_TEST_BACKENDS`);
      }
      server = await startServer({ backend, databaseUrl });
    });

    after(async () => {
      for (const c of contexts) await c.close().catch(() => {});
      await stopServer(server);
      if (schema) {
        try {
          psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        } catch (err) {
          console.error(`could not drop schema ${schema}: ${err.message}`);
        }
      }
      if (flow.broken && server) {
        console.error(`--- ${backend} server stderr (tail) ---\n${tail(server.stderr, 30)}`);
      }
    });

    /**
     * One step of the flow. A step that depends on an earlier one is skipped once something
     * failed, so that only the first real failure is reported. On failure the page is
     * screenshotted and its URL and text are added to the message.
     */
    function step(name, fn, { independent = false } = {}) {
      it(name, { timeout: STEP_TIMEOUT_MS }, async (t) => {
        if (!independent && flow.broken) {
          t.skip(`an earlier step failed: ${flow.broken}`);
          return;
        }
        const local = { page: null };
        try {
          await fn(local);
        } catch (err) {
          if (!independent) flow.broken = name;
          const page = local.page;
          let shot = '';
          if (page && !page.isClosed()) {
            const safe = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
            shot = await screenshot(page, `failure-${backend}-${safe}`).catch(() => '');
          }
          err.message = `[${backend}] ${name}: ${err.message}\n${await pageSummary(page)}` +
            (shot ? `\nScreenshot: ${shot}` : '');
          throw err;
        }
      });
    }

    step('citizen sends a tip in Bangla and gets a receipt', async (local) => {
      const context = await newContext(PHONE);
      contexts.push(context);
      const page = (local.page = await context.newPage());
      flow.citizenPage = page;

      const home = await page.goto(`${server.base}/`);
      assert.equal(home.status(), 200, `GET / answered HTTP ${home.status()}`);
      await screenshot(page, `home-${backend}`);

      const link = await page.$('a[href="/tips/new"]');
      assert.ok(link, 'the home page has no link a[href="/tips/new"]');
      const form = await clickAndWaitForPage(page, 'a[href="/tips/new"]');
      assert.equal(new URL(page.url()).pathname, '/tips/new', 'the link did not lead to /tips/new');
      assert.equal(form.status(), 200, `GET /tips/new answered HTTP ${form.status()}`);

      assert.ok(await page.$('#tip-form'), 'no form #tip-form on /tips/new');
      await page.selectOption('#tip-form select[name=category]', 'drugs');
      await page.fill('#tip-form textarea[name=description]', flow.description);
      await page.selectOption('#tip-form select[name=thana]', 'sonadanga');
      const sent = await clickAndWaitForPage(page, '#submit-tip');
      assert.ok(sent && sent.status() < 400, `sending the tip answered HTTP ${sent?.status()}`);

      assert.ok(await page.$('#receipt-bn'), 'the page after sending has no #receipt-bn (no receipt shown)');
      flow.receiptBn = await textOf(page, '#receipt-bn');
      flow.receiptAscii = await textOf(page, '#receipt-ascii');
      assert.match(flow.receiptBn, /^[০-৯]{5}( [০-৯]{5}){4}$/,
        `#receipt-bn should be 25 Bangla digits in 5 groups of 5 separated by single spaces, got ${JSON.stringify(flow.receiptBn)}`);
      const asciiDigits = flow.receiptAscii.replace(/\s+/g, '');
      assert.match(asciiDigits, /^[0-9]{25}$/,
        `#receipt-ascii should hold the same 25 digits in ASCII, got ${JSON.stringify(flow.receiptAscii)}`);
      assert.equal(asciiDigits, bnToAscii(flow.receiptBn).replace(/ /g, ''),
        '#receipt-bn and #receipt-ascii do not hold the same digits');

      flow.reference = await textOf(page, '#tip-reference');
      assert.match(flow.reference, /^T-\d{4}-\d{6}$/,
        `#tip-reference should look like T-2026-000001, got ${JSON.stringify(flow.reference)}`);

      // The receipt must not travel in the address bar (it would land in history and logs).
      assert.ok(!page.url().includes(asciiDigits.slice(0, 10)), `the receipt appears in the URL ${page.url()}`);

      await screenshot(page, `receipt-${backend}`);
    });

    step('citizen must tick "I saved it" before leaving the receipt page', async (local) => {
      const page = (local.page = flow.citizenPage);
      assert.ok(await page.$('#saved-form'), 'no form #saved-form on the receipt page');
      assert.ok(await page.$('#saved-form #saved'), 'no checkbox #saved inside #saved-form');
      assert.ok(await page.$('#saved-form #done'), 'no button #done inside #saved-form');
      const saved = await page.$eval('#saved', (el) => ({ type: el.type, required: el.required, checked: el.checked }));
      assert.equal(saved.type, 'checkbox', '#saved is not a checkbox');
      assert.equal(saved.required, true, 'the checkbox #saved is not "required"');
      assert.equal(saved.checked, false, 'the checkbox #saved is already ticked');

      // Without the tick the browser refuses to submit: we stay on the receipt.
      const before = page.url();
      await page.click('#done');
      await sleep(700);
      assert.equal(page.url(), before, 'clicking #done without ticking #saved left the receipt page');
      assert.ok(await page.$('#receipt-bn'), 'clicking #done without ticking #saved left the receipt page');

      await page.check('#saved');
      const res = await clickAndWaitForPage(page, '#done');
      assert.equal(new URL(page.url()).pathname, '/', `after #done the browser is at ${page.url()}, not /`);
      assert.ok(res && res.status() === 200, `the page after #done answered HTTP ${res?.status()}`);
    });

    step('officer logs in, finds the tip and asks a question', async (local) => {
      const context = await newContext(DESKTOP);
      contexts.push(context);
      const page = (local.page = await context.newPage());

      const login = await page.goto(`${server.base}/console/login`);
      assert.equal(login.status(), 200, `GET /console/login answered HTTP ${login.status()}`);
      await page.fill('input[name=username]', server.username);
      await page.fill('input[name=password]', server.password);
      await clickAndWaitForPage(page, '#login');
      const landed = new URL(page.url()).pathname;
      assert.ok(landed === '/console' || landed === '/console/',
        `after logging in the officer is at ${page.url()}, not /console`);

      const rows = await page.$$('table.queue tbody tr');
      assert.ok(rows.length >= 1, 'the queue table.queue tbody has no rows');
      const links = await page.$$eval('table.queue tbody tr a.tip-link',
        (els) => els.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') })));
      const mine = links.find((l) => l.text === flow.reference);
      assert.ok(mine, `no a.tip-link with the text ${flow.reference} in the queue; links: ${JSON.stringify(links)}`);
      assert.equal(new URL(mine.href, server.base).pathname, `/console/tips/${flow.reference}`,
        `the queue link for ${flow.reference} points at ${mine.href}`);

      const detail = await clickAndWaitForPage(page, `table.queue a.tip-link[href="${mine.href}"]`);
      assert.equal(detail.status(), 200, `the tip page answered HTTP ${detail.status()}`);
      assert.equal(new URL(page.url()).pathname, `/console/tips/${flow.reference}`);
      const description = await textOf(page, '#tip-description');
      assert.ok(description.includes(flow.description),
        `#tip-description does not contain the text sent; it shows ${JSON.stringify(description)}`);

      await page.fill('#reply-form textarea[name=body]', flow.question);
      const replied = await clickAndWaitForPage(page, '#send-reply');
      assert.ok(replied && replied.status() === 200, `the page after #send-reply answered HTTP ${replied?.status()}`);
      assert.equal(new URL(page.url()).pathname, `/console/tips/${flow.reference}`,
        `after sending the reply the officer is at ${page.url()}`);
      const messages = await textsOf(page, '.message');
      assert.ok(messages.some((m) => m.includes(flow.question)),
        `the reply is not among the page's messages (.message); found ${JSON.stringify(messages)}`);
      await screenshot(page, `console-tip-${backend}`);
    });

    step('citizen comes back with the receipt, reads the question and answers', async (local) => {
      const context = await newContext(PHONE);
      contexts.push(context);
      const page = (local.page = await context.newPage());

      const res = await page.goto(`${server.base}/follow-up`);
      assert.equal(res.status(), 200, `GET /follow-up answered HTTP ${res.status()}`);
      await page.fill('input[name=receipt]', flow.receiptBn);
      const looked = await clickAndWaitForPage(page, '#lookup');
      assert.ok(looked && looked.status() === 200, `the page after #lookup answered HTTP ${looked?.status()}`);
      assert.ok(!page.url().includes(flow.receiptAscii.replace(/\s+/g, '').slice(0, 10)),
        `the receipt appears in the URL ${page.url()}`);

      const status = await textOf(page, '#status');
      assert.ok(status.length > 0, '#status is empty');
      const fromOfficer = await textsOf(page, '.message.from-officer .message-body');
      assert.ok(fromOfficer.some((m) => m.includes(flow.question)),
        `the officer's question is not shown as .message.from-officer .message-body; found ${JSON.stringify(fromOfficer)}`);

      await page.fill('textarea[name=message]', flow.answer);
      const sent = await clickAndWaitForPage(page, '#send-message');
      assert.ok(sent && sent.status() === 200, `the page after #send-message answered HTTP ${sent?.status()}`);
      const fromTipster = await textsOf(page, '.message.from-tipster .message-body');
      assert.ok(fromTipster.some((m) => m.includes(flow.answer)),
        `the answer is not shown as .message.from-tipster .message-body; found ${JSON.stringify(fromTipster)}`);
      await screenshot(page, `follow-up-${backend}`);
    });

    step('a tip with an empty description is refused with an error, keeping the category', async (local) => {
      const context = await newContext(PHONE);
      contexts.push(context);
      const page = (local.page = await context.newPage());

      const res = await page.goto(`${server.base}/tips/new`);
      assert.equal(res.status(), 200, `GET /tips/new answered HTTP ${res.status()}`);

      // Choose "drugs", unless that is what the form shows anyway: then choose another category,
      // so that the check below proves the server kept the choice.
      const categories = await page.$$eval('#tip-form select[name=category] option',
        (opts) => opts.map((o) => o.value).filter((v) => v !== ''));
      const preselected = await page.$eval('#tip-form select[name=category]', (s) => s.value);
      const category = preselected === 'drugs' ? categories.find((v) => v !== 'drugs') : 'drugs';
      assert.ok(category, `no category to choose; options: ${JSON.stringify(categories)}`);
      await page.selectOption('#tip-form select[name=category]', category);
      await page.selectOption('#tip-form select[name=thana]', 'sonadanga');
      await page.fill('#tip-form textarea[name=description]', '     ');
      // Get past the browser's own checks so that the server's are tested.
      await page.evaluate(() => {
        const form = document.querySelector('#tip-form');
        form.noValidate = true;
        for (const el of form.querySelectorAll('[required], [minlength]')) {
          el.removeAttribute('required');
          el.removeAttribute('minlength');
        }
      });
      const refused = await clickAndWaitForPage(page, '#submit-tip');
      assert.ok(refused, 'submitting the empty tip did not load a page');
      assert.equal(await page.$('#receipt-bn'), null, 'a tip with an empty description was accepted (a receipt is shown)');
      const errors = await textsOf(page, '.error');
      assert.ok(errors.length > 0 && errors.some((e) => e.length > 0),
        `no (non-empty) .error element on the page after sending an empty description (HTTP ${refused.status()})`);
      const kept = await page.$eval('#tip-form select[name=category]', (s) => s.value).catch(() => null);
      assert.equal(kept, category, `the form did not keep the chosen category "${category}" (shows ${JSON.stringify(kept)})`);
      await screenshot(page, `tip-error-${backend}`);
    }, { independent: true });
  });
}
