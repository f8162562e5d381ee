// The app without a connection: after a first visit the service worker keeps the app shell, so
// the home page with 999 (and the other kept pages) opens with the network cut; a tip written
// without a connection waits on the phone and is sent exactly once when the network returns, its
// receipt shown (also when the first answer is lost on the way, and when the browser wrongly
// believes it is online); nothing personal is ever written to Cache Storage. An officer then
// finds exactly one tip per draft in the console. It also guards the home page's budget: at most
// 50 KB on a first visit (page_weight.mjs; bench/page_weight.sh records the figure).
//
// Run from tests/browser:  npm ci && node --test offline.test.mjs
// Environment: see README.md beside this file.

import assert from 'node:assert/strict';

import { firstLogIn } from './console_login.mjs';
import { HOME_BUDGET_BYTES, measureHome } from './page_weight.mjs';
import {
  DESKTOP, PHONE, assertBangla, bnToAscii, clickAndWaitForPage, onEachBackend, pathOf, queueLinks,
  randomToken, screenshot, textOf,
} from './support.mjs';

// The pages a phone keeps after a first visit, checked with the network cut. The service worker's
// own list is `OFFLINE_PAGES` in crates/hello-kmp/src/web/pwa.rs; add a page here when it exists.
const OFFLINE_PAGES = [
  '/',
  '/tips/new',
  '/offline',
  '/contacts',
  '/faq',
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
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
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

/** The drafts waiting on the phone (IndexedDB "hello-kmp", store "drafts"). */
async function draftsOf(page) {
  return page.evaluate(() => new Promise((done, fail) => {
    const open = indexedDB.open('hello-kmp', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('drafts', { keyPath: 'token' });
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction('drafts').objectStore('drafts').getAll();
      request.onsuccess = () => { open.result.close(); done(request.result); };
      request.onerror = () => fail(request.error);
    };
  }));
}

/** The text of the draft notice's status line, once it says what `state` (a data- key) says. */
async function untilNoticeSays(page, state) {
  await page.waitForFunction((s) => {
    const line = document.querySelector('.draft .draft-status');
    return line && line.textContent === line.dataset[s] && line.textContent.length > 0;
  }, state, { timeout: 30_000 });
  return textOf(page, '.draft .draft-status');
}

/** Fills the tip form (the page is on /tips/new). */
async function writeTip(page, description) {
  await page.selectOption('#tip-form select[name=category]', 'drugs');
  await page.fill('#tip-form textarea[name=description]', description);
  await page.selectOption('#tip-form select[name=thana]', 'daulatpur');
}

/** The receipt and reference on the page, once the page shows them. */
async function receiptShown(page) {
  await page.waitForSelector('#receipt-bn', { timeout: 40_000 });
  const receipt = bnToAscii(await textOf(page, '#receipt-bn')).replace(/\s+/g, '');
  assert.match(receipt, /^\d{25}$/, `the receipt shown is ${JSON.stringify(receipt)}`);
  const reference = await textOf(page, '#tip-reference');
  assert.match(reference, /^T-\d{4}-\d{6}$/);
  return { receipt, reference };
}

onEachBackend('offline app shell', (run) => {
  const flow = { context: null, page: null, shell: null, sent: [] };

  run.step('the home page on a first visit transfers at most 50 KB, the service worker\'s downloads included', async () => {
    const shell = await shellOf(run.server.base);
    const weight = await measureHome(await run.newContext(PHONE), run.server.base);
    // The page itself loads its HTML, style sheet and script. The icon is fetched by the browser
    // (not the page) or by the service worker, whichever comes first, so it is looked for among
    // the requests the server received; so are the manifest and everything kept for offline use.
    const loaded = weight.resources.map((r) => r.path);
    for (const path of ['/', ...shell.assets.filter((a) => a.endsWith('.css') || a.endsWith('.js'))]) {
      assert.ok(loaded.includes(path), `the home page did not load ${path}; it loaded ${JSON.stringify(loaded)}`);
    }
    for (const path of ['/', '/manifest.webmanifest', '/sw.js', ...shell.assets]) {
      assert.ok(weight.asked.includes(path), `the server was not asked for ${path} during the visit; it was asked for ${JSON.stringify(weight.asked)}`);
    }
    const described = JSON.stringify(weight.resources);
    assert.ok(weight.resources.every((r) => r.bytes > 0), `a response of no size: ${described}`);
    assert.ok(weight.pageBytes <= HOME_BUDGET_BYTES, `the page loads ${weight.pageBytes} bytes: ${described}`);
    assert.ok(weight.wireBytes >= weight.pageBytes, `the relay counted ${weight.wireBytes} bytes`);
    assert.ok(weight.wireBytes <= HOME_BUDGET_BYTES, `the first visit transfers ${weight.wireBytes} bytes`);
  }, { independent: true });

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

  run.step('a tip written with the network cut waits on the phone and is sent once when it returns, its receipt shown', async (local) => {
    const page = (local.page = flow.page);
    const marker = randomToken(4);
    await flow.context.setOffline(true);
    try {
      await page.goto(`${run.server.base}/tips/new`);
      const tokenShown = await page.$eval('input[name=form_token]', (el) => el.value);
      await writeTip(page, `দৌলতপুর রেলগেটের পাশে রাতে মাদক বিক্রি হয় ${marker}`);
      await page.click('#submit-tip');
      const said = await untilNoticeSays(page, 'saved');
      assert.match(said, /সংযোগ নেই/, `the notice says ${JSON.stringify(said)}`);
      assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'draft-title',
        'the notice takes the focus, so that a screen reader reads it');
      const notice = await textOf(page, '.draft');
      assert.match(notice, /এই ফোনে/, 'the notice says the tip is kept on this phone');
      assert.match(notice, /ফাইল/, 'the notice says files are not kept');
      assert.ok(await page.locator('.draft [data-draft=delete]').isVisible(), 'the notice offers to delete the draft');
      assert.equal(await page.$eval('#tip-form textarea[name=description]', (el) => el.value), '',
        'the form is emptied for another tip');
      assert.notEqual(await page.$eval('input[name=form_token]', (el) => el.value), tokenShown,
        'the emptied form has a token of its own');

      const drafts = await draftsOf(page);
      assert.equal(drafts.length, 1, `one draft on the phone, found ${drafts.length}`);
      assert.equal(drafts[0].token, tokenShown, 'the draft keeps the token of the form it was written on');
      assert.ok(drafts[0].fields.some(([n, v]) => n === 'description' && v.includes(marker)));
      await screenshot(page, `draft-saved-${run.backend}`);

      // The next visit, still offline, shows it waiting.
      await page.goto(`${run.server.base}/`);
      await untilNoticeSays(page, 'waiting');
    } finally {
      await flow.context.setOffline(false);
    }
    // Back online: it is sent by itself and the server's receipt replaces the page.
    const { receipt, reference } = await receiptShown(page);
    flow.sent.push({ marker, reference });
    assert.equal((await draftsOf(page)).length, 0, 'the draft is deleted once the server answered');
    await screenshot(page, `draft-sent-receipt-${run.backend}`);
    assert.ok(receipt);
  });

  run.step('a draft whose answer is lost on the way is sent again, shows its receipt, and makes one tip', async (local) => {
    const page = (local.page = flow.page);
    const marker = randomToken(4);
    await flow.context.setOffline(true);
    try {
      await page.goto(`${run.server.base}/tips/new`);
      await writeTip(page, `খালিশপুর ঘাটে চাঁদাবাজি হয় ${marker}`);
      await page.click('#submit-tip');
      await untilNoticeSays(page, 'saved');
    } finally {
      // The first send reaches the server, which keeps the tip, but its answer never comes back.
      let posts = 0;
      await flow.context.route('**/tips', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        posts += 1;
        if (posts > 1) return route.continue();
        await route.fetch();
        return route.abort('connectionreset');
      });
      flow.posts = () => posts;
      await flow.context.setOffline(false);
    }
    try {
      await untilNoticeSays(page, 'waiting');
      assert.equal(flow.posts(), 1, 'the draft was sent once and its answer lost');
      assert.equal((await draftsOf(page)).length, 1, 'a draft whose answer was lost is kept');
      // Sent again (with the notice's button; it would also go by itself a little later).
      await page.focus('.draft [data-draft=send]');
      await page.keyboard.press('Enter');
      const { reference } = await receiptShown(page);
      assert.equal(flow.posts(), 2);
      flow.sent.push({ marker, reference });
      assert.equal((await draftsOf(page)).length, 0);
    } finally {
      await flow.context.unroute('**/tips');
    }
  });

  run.step('a form sent when the browser wrongly believes it is online is kept by the service worker and sent later', async (local) => {
    const page = (local.page = await flow.context.newPage());
    const marker = randomToken(4);
    // The phone shows signal but nothing gets through: the page cannot tell before sending.
    await page.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'onLine', { configurable: true, get: () => true });
    });
    await page.goto(`${run.server.base}/tips/new`);
    await untilControlled(page);
    await writeTip(page, `হরিণটানা মোড়ে অস্ত্রের লেনদেন ${marker}`);
    await flow.context.setOffline(true);
    try {
      await clickAndWaitForPage(page, '#submit-tip');
      assert.equal(pathOf(page), '/tips/new', 'the service worker brought the form back');
      await untilNoticeSays(page, 'waiting');
      const drafts = await draftsOf(page);
      assert.equal(drafts.length, 1);
      assert.ok(drafts[0].fields.some(([n, v]) => n === 'description' && v.includes(marker)));
      assert.ok(!drafts[0].fields.some(([n]) => n === 'files' || n === 'upload'), 'no files in a draft');
    } finally {
      await flow.context.setOffline(false);
    }
    const { reference } = await receiptShown(page);
    flow.sent.push({ marker, reference });
    assert.equal((await draftsOf(page)).length, 0);
    await page.close();
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

  run.step('an officer finds exactly one tip for each draft, with its text', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    await firstLogIn(page, run.server.base, { username: run.server.username, password: run.server.password });
    const links = await queueLinks(page);
    // Three drafts and the tip of the step above: four tips, no more.
    assert.equal(links.length, flow.sent.length + 1, `the queue lists ${JSON.stringify(links.map((l) => l.text))}`);
    for (const { marker, reference } of flow.sent) {
      const rows = links.filter((l) => l.text === reference);
      assert.equal(rows.length, 1, `${reference} appears ${rows.length} times in the queue`);
      await page.goto(new URL(rows[0].href, run.server.base).href);
      const text = await textOf(page, '#tip-description');
      assert.ok(text.includes(marker), `${reference} does not hold its draft's text: ${JSON.stringify(text)}`);
    }
  });
});
