// The home page's weight on a first visit, as a phone downloads it: every response counted as it
// arrives (compressed, headers included), in Chromium with nothing cached. Used by the browser
// test offline.test.mjs (as a guard) and by bench/page_weight.sh (the figure in
// bench/RESULTS.md).

import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

/** DESIGN.md: the citizen home page, everything transferred (compressed), at most 50 KB. */
export const HOME_BUDGET_BYTES = 50 * 1024;

/** The flags support.mjs starts Chromium with. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
  '--disable-quic', '--disable-component-update', '--disable-sync',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A TCP relay in front of the server that counts the bytes each way, so that everything the
 * server sends is counted, the service worker's own downloads included. It also notes the path
 * of every request that passed (plain HTTP/1.1), whoever sent it: the page, the browser itself
 * (the icon) or the service worker.
 */
async function countingRelay(target) {
  const counts = { down: 0, up: 0, last: Date.now() };
  const asked = new Set();
  const sockets = new Set();
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => { client.destroy(); upstream.destroy(); });
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    // Request lines may be split between two reads, so the tail of the last read is kept.
    let tail = '';
    client.on('data', (d) => {
      counts.up += d.length;
      counts.last = Date.now();
      const text = tail + d.toString('latin1');
      for (const m of text.matchAll(/(?:^|\r\n)(?:GET|HEAD|POST) (\S+) HTTP\/1\.1\r\n/g)) {
        asked.add(new URL(m[1], 'http://relay').pathname);
      }
      tail = text.slice(-512);
    });
    upstream.on('data', (d) => { counts.down += d.length; counts.last = Date.now(); });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${relay.address().port}`,
    counts,
    asked,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => relay.close(resolve));
    },
  };
}

/**
 * Opens the home page of the server at `serverBase` in `context` (which must have nothing
 * cached), waits for the service worker to take over and the network to be quiet for a second,
 * fetches the manifest if the browser did not (a phone does, when it offers to install the app;
 * an incognito headless Chromium may not), and answers:
 *
 * - `resources`: each response the page loaded, with the bytes the DevTools protocol counted for
 *   it (`Network.loadingFinished.encodedDataLength`: compressed body and headers);
 * - `pageBytes`: their sum;
 * - `wireBytes`: every byte the server sent during the visit, counted at a relay in front of it,
 *   the service worker's script and the pages and icon it keeps for offline use included;
 * - `asked`: the paths of every request the server received during the visit, from the page,
 *   the browser (the icon) or the service worker.
 */
export async function measureHome(context, serverBase) {
  const relay = await countingRelay(new URL(serverBase));
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    const seen = new Map();
    cdp.on('Network.responseReceived', (e) => {
      const encoding = Object.entries(e.response.headers)
        .find(([name]) => name.toLowerCase() === 'content-encoding');
      seen.set(e.requestId, {
        path: new URL(e.response.url).pathname, type: e.type, status: e.response.status,
        encoding: encoding ? encoding[1] : '',
      });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const response = seen.get(e.requestId);
      if (response) response.bytes = e.encodedDataLength;
    });

    const quiet = async () => { while (Date.now() - relay.counts.last < 1_000) await sleep(200); };
    await page.goto(`${relay.base}/`, { waitUntil: 'load' });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20_000 });
    await quiet();
    // A browser with a profile of its own fetches the manifest; an incognito one may not.
    if (![...seen.values()].some((r) => r.path === '/manifest.webmanifest')) {
      await page.evaluate(() => fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.text()));
      await quiet();
    }

    // A response taken from the browser's own cache (the icon asked for again) costs nothing.
    const resources = [...seen.values()].filter((r) => r.bytes > 0);
    await page.close();
    return {
      resources,
      pageBytes: resources.reduce((sum, r) => sum + r.bytes, 0),
      wireBytes: relay.counts.down,
      asked: [...relay.asked].sort(),
    };
  } finally {
    await relay.close();
  }
}

/** Chromium with a fresh profile of its own (a new user data folder), for bench/page_weight.mjs. */
export async function freshChromium({ viewport = { width: 360, height: 640 } } = {}) {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'hello-kmp-weight-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.KMP_TEST_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'bn-BD',
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
