// The app without a connection: after a first visit the service worker keeps the app shell, so
// the home page with 999 (and the other kept pages) opens with the network cut; nothing personal
// is ever written to Cache Storage.
//
// Run from tests/browser:  npm ci && node --test offline.test.mjs
// Environment: see README.md beside this file.

import assert from 'node:assert/strict';

import {
  PHONE, assertBangla, bnToAscii, clickAndWaitForPage, onEachBackend, pathOf, randomToken,
  screenshot, textOf,
} from './support.mjs';

// The pages a phone keeps after a first visit, checked with the network cut. The service worker's
// own list is `OFFLINE_PAGES` in crates/hello-kmp/src/web/pwa.rs; add a page here when it exists.
const OFFLINE_PAGES = [
  '/',
  '/tips/new',
  '/offline',
  // '/contacts',
  // '/faq',
];

/** The `SHELL` line the server writes above static/sw.js: what the service worker may keep. */
async function shellOf(base) {
  const text = await (await fetch(`${base}/sw.js`)).text();
  const first = text.split('\n', 1)[0];
  const match = first.match(/^var SHELL = (.*);$/);
  assert.ok(match, `/sw.js does not start with the SHELL line: ${first.slice(0, 200)}`);
  return JSON.parse(match[1]);
}

/** Waits until the page is controlled by the active service worker. */
async function untilControlled(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });
}

/** Every entry of Cache Storage: cache name, path and body text. */
async function cacheEntries(page) {
  return page.evaluate(async () => {
    const out = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        out.push({ name, path: new URL(request.url).pathname + new URL(request.url).search, body: await response.text() });
      }
    }
    return out;
  });
}

onEachBackend('offline app shell', (run) => {
  const flow = { context: null, page: null, shell: null };

  run.step('a first visit installs the service worker, which keeps the shell and the public pages', async (local) => {
    flow.shell = await shellOf(run.server.base);
    flow.context = await run.newContext(PHONE);
    const page = (local.page = flow.page = await flow.context.newPage());
    const home = await page.goto(`${run.server.base}/`);
    assert.equal(home.status(), 200);
    await untilControlled(page);
    const scope = await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r && r.scope));
    assert.equal(scope, `${run.server.base}/`, 'the service worker looks after the whole site');

    // The install keeps every asset and every page that exists, and nothing else.
    const kept = (await cacheEntries(page)).map((e) => e.path).sort();
    for (const path of [...flow.shell.assets, ...OFFLINE_PAGES]) {
      assert.ok(kept.includes(path), `${path} was not kept; kept: ${JSON.stringify(kept)}`);
    }
    const allowed = new Set([...flow.shell.assets, ...flow.shell.pages]);
    for (const path of kept) assert.ok(allowed.has(path), `${path} was kept but is not in the service worker's lists`);
  });

  run.step('with the network cut, the kept pages open with 999, in Bangla and styled', async (local) => {
    const page = (local.page = flow.page);
    await flow.context.setOffline(true);
    try {
      assert.equal(await page.evaluate(() => navigator.onLine), false, 'the browser knows it is offline');
      for (const path of OFFLINE_PAGES) {
        const answer = await page.goto(`${run.server.base}${path}`);
        assert.ok(answer, `no answer for ${path} offline`);
        assert.equal(answer.status(), 200, `${path} offline answered HTTP ${answer.status()}`);
        assert.ok(answer.fromServiceWorker(), `${path} offline did not come from the service worker`);
        assert.equal(pathOf(page), path);
        await assertBangla(page);
        const call = page.locator('a.call999[href="tel:999"]');
        assert.ok(await call.isVisible(), `${path} offline shows no visible 999 link`);
        // The stylesheet came from the phone too: the 999 banner is red.
        const background = await call.evaluate((el) => getComputedStyle(el).backgroundColor);
        assert.equal(background, 'rgb(179, 18, 27)', `${path} offline is not styled (999 background ${background})`);
      }
      await page.goto(`${run.server.base}/`);
      await screenshot(page, `offline-home-${run.backend}`);

      // A page that is not kept (it needs the server) gives the offline page, with 999.
      const followUp = await page.goto(`${run.server.base}/follow-up`);
      assert.equal(followUp.status(), 200);
      assert.equal(pathOf(page), '/follow-up');
      assert.ok(await page.locator('a.call999[href="tel:999"]').isVisible());
      const heading = await textOf(page, 'h1');
      assert.equal(heading, 'আপনি এখন সংযুক্ত নন', `the page for /follow-up offline is headed ${JSON.stringify(heading)}`);
    } finally {
      await flow.context.setOffline(false);
    }
  });

  run.step('nothing personal reaches Cache Storage: receipt, status page, console, API, POST answers', async (local) => {
    const page = (local.page = flow.page);
    const marker = randomToken(4);
    const description = `খালিশপুর বাজারের পেছনে অস্ত্র রাখা হয় ${marker}`;

    await page.goto(`${run.server.base}/tips/new`);
    await page.selectOption('#tip-form select[name=category]', 'militancy');
    await page.fill('#tip-form textarea[name=description]', description);
    await clickAndWaitForPage(page, '#submit-tip');
    const receipt = bnToAscii(await textOf(page, '#receipt-bn')).replace(/\s+/g, '');
    assert.match(receipt, /^\d{25}$/);

    // The status page, reached with the receipt, and an officer's page and the API.
    await page.goto(`${run.server.base}/follow-up`);
    await page.fill('input[name=receipt]', receipt);
    await clickAndWaitForPage(page, '#lookup');
    assert.ok(await page.$('#status'), 'the status page opened');
    await page.goto(`${run.server.base}/console/login`);
    const api = await page.evaluate(async (r) => {
      const answer = await fetch('/api/v1/tips/lookup', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ receipt: r }),
      });
      return answer.status;
    }, receipt);
    assert.equal(api, 200, 'the API answered the look-up');
    await page.goto(`${run.server.base}/`);

    const entries = await cacheEntries(page);
    const allowed = new Set([...flow.shell.assets, ...flow.shell.pages]);
    for (const entry of entries) {
      assert.ok(allowed.has(entry.path), `${entry.path} was written to Cache Storage (${entry.name})`);
      assert.ok(!entry.body.includes(marker), `${entry.path} in Cache Storage holds the tip's text`);
      assert.ok(!bnToAscii(entry.body).replace(/\s+/g, '').includes(receipt),
        `${entry.path} in Cache Storage holds the receipt`);
    }
    for (const personal of ['/tips', '/follow-up', '/console/login', '/api/v1/tips/lookup']) {
      assert.ok(!entries.some((e) => e.path === personal), `${personal} is in Cache Storage`);
    }
  });
});
