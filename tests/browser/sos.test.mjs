// End-to-end browser test of SOS in Hello KMP.
//
// On SQLite and on PostgreSQL: the administrator's first log-in -> a control-room officer added
// -> the officer's first log-in, and the SOS board open in one browser context -> a citizen in a
// second context (a phone, location allowed, at a known point of Khulna Sadar) taps "send my
// location": the page says sent with a reference only after the server stored it -> the alert
// appears on the board without a reload, with its point -> the officer acknowledges it. Then the
// paths without a location: location refused (the page says to call 999, nothing is sent), and
// JavaScript off (the page says to call 999; a written place goes, and reaches the board live,
// marked as without a location).
//
// Run from tests/browser:  npm ci && node --test sos.test.mjs
// Environment: see README.md beside this file.

import assert from 'node:assert/strict';

import { firstLogIn } from './console_login.mjs';
import {
  DESKTOP, PHONE, assertBangla, bnToAscii, clickAndWaitForPage, onEachBackend, pathOf,
  randomToken, screenshot, sleep, textOf,
} from './support.mjs';

/** A known point of the test data (../shared/data/geo/README.md): Khulna Sadar, ward 28. */
const SADAR = { latitude: 22.80361, longitude: 89.56778, accuracy: 20 };

/** How long a live card may take to reach the board. */
const LIVE_TIMEOUT_MS = 10_000;

onEachBackend('SOS flow', (run) => {
  const { backend } = run;
  const flow = {
    marker: randomToken(3),
    officer: null,
    boardPage: null,
    reference: '',
  };

  run.step('administrator adds a control-room officer, who logs in and opens the SOS board', async (local) => {
    const adminContext = await run.newContext(DESKTOP);
    const admin = (local.page = await adminContext.newPage());
    await firstLogIn(admin, run.server.base, { username: run.server.username, password: run.server.password });
    await admin.goto(`${run.server.base}/console/officers`);
    const username = `cr.duty.${flow.marker}`;
    await admin.fill('#officer-form #username', username);
    await admin.fill('#officer-form #name', 'কন্ট্রোল রুমের ডিউটি অফিসার');
    await admin.selectOption('#officer-form #role', 'unit_officer');
    await admin.selectOption('#officer-form #place', 'control_room');
    const added = await clickAndWaitForPage(admin, '#add-officer');
    assert.equal(added.status(), 200, `adding ${username} answered HTTP ${added.status()}`);
    flow.officer = { username, password: await textOf(admin, '#one-time-password') };

    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    flow.boardPage = page;
    await firstLogIn(page, run.server.base, flow.officer);
    assert.ok(await page.$('#nav-sos'), 'the control room officer\'s console has no link #nav-sos');
    await clickAndWaitForPage(page, '#nav-sos');
    assert.equal(pathOf(page), '/console/sos');
    await assertBangla(page);
    // The stream is open once the page says it is live.
    const live = await page.$eval('#sos-live', (el) => el.dataset.on);
    await page.waitForFunction((text) => document.getElementById('sos-live').textContent === text, live,
      { timeout: LIVE_TIMEOUT_MS });
    // Marks this very page: a reload would lose it.
    await page.evaluate(() => { window.sosMarker = 'still the same page'; });
  });

  run.step('a citizen on a phone taps SOS: 999 comes first, the location goes, the page says sent', async (local) => {
    const context = await run.newContext({ ...PHONE, permissions: ['geolocation'], geolocation: SADAR });
    const page = (local.page = await context.newPage());
    const opened = await page.goto(`${run.server.base}/sos`);
    assert.equal(opened.status(), 200, `GET /sos answered HTTP ${opened.status()}`);
    await assertBangla(page);

    // The first control after the header is the call to 999, and the biggest tap target.
    const controls = await page.$$eval('body a, body button, body input, body textarea, body select', (els) => els
      .filter((e) => !e.closest('header') && !e.classList.contains('skip') && e.type !== 'hidden' && !e.hidden)
      .map((e) => {
        const box = e.getBoundingClientRect();
        return { id: e.id, href: e.getAttribute('href'), tag: e.tagName, area: box.width * box.height, height: box.height };
      }));
    assert.equal(controls[0].href, 'tel:999', `the first control is not the call to 999: ${JSON.stringify(controls[0])}`);
    const taps = controls.filter((c) => c.tag === 'A' || c.tag === 'BUTTON');
    for (const other of taps.slice(1)) {
      assert.ok(controls[0].height >= other.height && controls[0].area >= other.area,
        `${other.id || other.href} is bigger than the call to 999`);
    }
    assert.ok(await page.isVisible('#sos-send'), 'with JavaScript the one-tap button shows');
    assert.ok(!(await page.isVisible('#sos-needs-js')), 'with JavaScript the "needs JavaScript" note is hidden');
    await screenshot(page, `sos-page-${backend}`);

    await page.fill('#callback', '০১৭১২-৩৪৫৬৭৮');
    await clickAndWaitForPage(page, '#sos-send');
    assert.equal(pathOf(page), '/sos');
    assert.ok(await page.$('#sos-sent'), 'the page after tapping does not say the alert was sent (#sos-sent)');
    assert.ok(await page.$('#sos-sent-location'), 'the page does not say the control room has the location');
    flow.reference = await page.$eval('#sos-reference', (el) => el.dataset.reference);
    assert.match(flow.reference, /^S-\d{4}-\d{6}$/, `the alert reference looks wrong: ${flow.reference}`);
    assert.equal(bnToAscii(await textOf(page, '#sos-reference')), flow.reference, 'the reference shown in Bangla digits');
    await screenshot(page, `sos-sent-${backend}`);
  });

  run.step('the alert appears on the board live, with its point, and the officer acknowledges it', async (local) => {
    const page = (local.page = flow.boardPage);
    const card = `#sos-list-new #alert-${flow.reference}`;
    await page.waitForSelector(card, { timeout: LIVE_TIMEOUT_MS });
    assert.equal(await page.evaluate(() => window.sosMarker), 'still the same page', 'the board was reloaded');
    assert.equal(await textOf(page, `${card} .sos-point`), '22.80361, 89.56778');
    assert.equal(await page.$eval(`${card} a.sos-geo`, (a) => a.getAttribute('href')), 'geo:22.803610,89.567780');
    assert.equal(await page.$eval(`${card} a.sos-callback`, (a) => a.getAttribute('href')), 'tel:+8801712345678');
    assert.equal(bnToAscii(await textOf(page, '#sos-count-new')), '1', 'the count of new alerts follows');
    const announced = await textOf(page, '#sos-live');
    assert.ok(announced.includes(flow.reference), `the new alert is not announced: ${announced}`);
    await screenshot(page, `sos-board-live-${backend}`);

    await clickAndWaitForPage(page, `#acknowledge-${flow.reference}`);
    assert.equal(pathOf(page), '/console/sos');
    assert.ok(await page.$(`#sos-list-acknowledged #alert-${flow.reference}`), 'the alert is not acknowledged');
    assert.ok((await textOf(page, `#alert-${flow.reference} .sos-acknowledged`)).includes('কন্ট্রোল রুমের ডিউটি অফিসার'));
    await page.evaluate(() => { window.sosMarker = 'after the acknowledgement'; });
  });

  run.step('with the location refused, the page tells the citizen to call 999 and sends nothing', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/sos`);
    await page.click('#sos-send');
    await page.waitForFunction(() => /৯৯৯/.test(document.getElementById('sos-status').textContent),
      null, { timeout: 20_000 });
    assert.equal(pathOf(page), '/sos');
    assert.ok(!(await page.$('#sos-sent')), 'something was sent without a location or a place');
    assert.ok(await page.evaluate(() => document.activeElement && document.activeElement.id === 'place'),
      'the written place is offered next');
    await screenshot(page, `sos-no-location-${backend}`);
  });

  run.step('without JavaScript the page says to call 999; a written place reaches the board live', async (local) => {
    const context = await run.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/sos`);
    assert.ok(!(await page.isVisible('#sos-send')), 'the one-tap button shows without JavaScript');
    assert.match(await textOf(page, '#sos-needs-js'), /৯৯৯/);
    const place = `রূপসা ঘাটের টিকিট ঘরের সামনে ${flow.marker}`;
    await page.fill('#place', place);
    await clickAndWaitForPage(page, '#sos-send-place');
    assert.ok(await page.$('#sos-sent'), 'the written place was not sent');
    assert.match(await textOf(page, '#sos-sent-no-location'), /৯৯৯/);
    const reference = await page.$eval('#sos-reference', (el) => el.dataset.reference);

    const board = (local.page = flow.boardPage);
    const card = `#sos-list-new #alert-${reference}`;
    await board.waitForSelector(card, { timeout: LIVE_TIMEOUT_MS });
    assert.equal(await board.evaluate(() => window.sosMarker), 'after the acknowledgement', 'the board was reloaded');
    assert.ok(await board.$(`${card} .sos-no-point`), 'the alert is not marked as without a location');
    assert.equal(await textOf(board, `${card} .sos-place`), place);
    // Give the stream a moment, then make sure nothing was sent twice.
    await sleep(300);
    assert.equal(await board.$$eval(`#alert-${reference}`, (els) => els.length), 1);
  });
});
