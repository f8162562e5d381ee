// End-to-end browser test of the officers' console of Hello KMP.
//
// On SQLite and on PostgreSQL: the administrator's first log-in (own password, authenticator,
// recovery codes) -> three thana officers added -> a citizen's secret drugs tip for Sonadanga ->
// the Sonadanga officer (first log-in) works it and transfers it to Khalishpur -> the Daulatpur
// officer is refused it -> the Khalishpur officer has it, with the reason as an internal note ->
// the administrator logs in again with a code, a spent one being refused -> the administrator
// filters the audit log to the tip and downloads it as a CSV file.
//
// Run from tests/browser:  npm ci && node --test
// Environment: see README.md beside this file.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  base32Decode, finishLogIn, firstLogIn, hotp, sendCode, startLogIn,
} from './console_login.mjs';
import {
  DESKTOP, PHONE, TABLET, assertBangla, bnToAscii, clickAndWaitForPage, onEachBackend, pathOf,
  queueLinks, randomToken, screenshot, textOf, textsOf,
} from './support.mjs';

test('the tests compute authenticator codes as RFC 6238 does (SHA-1 test vectors)', () => {
  // The RFC's key is the ASCII text "12345678901234567890"; its 8-digit codes end in these 6.
  const key = base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  assert.equal(key.toString('ascii'), '12345678901234567890');
  assert.equal(hotp(key, Math.floor(59 / 30)), '287082');
  assert.equal(hotp(key, Math.floor(1111111109 / 30)), '081804');
  assert.equal(hotp(key, Math.floor(1234567890 / 30)), '005924');
  assert.equal(hotp(key, Math.floor(2000000000 / 30)), '279037');
});

/** The date a week from now in Khulna, as a date field takes it (yyyy-mm-dd). */
function dueInAWeek() {
  const dhakaOffsetMs = 6 * 3600 * 1000;
  return new Date(Date.now() + dhakaOffsetMs + 7 * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The label of an option of a select, as the page shows it. */
async function optionLabel(page, select, value) {
  const label = await page.$eval(`${select} option[value="${value}"]`, (o) => o.textContent.trim())
    .catch(() => null);
  assert.ok(label, `${select} has no option "${value}"`);
  return label;
}

onEachBackend('console flow', (run) => {
  const { backend } = run;
  // What the steps hand on to each other.
  const flow = {
    marker: randomToken(3),
    admin: null,
    adminPage: null,
    enrolCode: '',
    officers: {},
    reference: '',
    sonadangaPage: null,
    reason: '',
    khalishpurLabel: '',
  };
  flow.reason = `খালিশপুরের বাজারে বিক্রেতাকে দেখা গেছে, চিহ্ন ${flow.marker}`;

  run.step('administrator logs in for the first time: new password, authenticator, recovery codes', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    flow.adminPage = page;

    flow.admin = { username: run.server.username, password: run.server.password };
    const { enrolCode } = await firstLogIn(page, run.server.base, flow.admin,
      { enrolScreenshot: `console-enrol-${backend}` });
    flow.enrolCode = enrolCode;
    await assertBangla(page);
    assert.ok(await page.$('#nav-officers'), 'the administrator\'s console has no link #nav-officers');
  });

  run.step('administrator adds three thana officers and gets their one-time passwords', async (local) => {
    const page = (local.page = flow.adminPage);
    const places = {
      sonadanga: 'সোনাডাঙ্গা থানার কর্মকর্তা',
      khalishpur: 'খালিশপুর থানার কর্মকর্তা',
      daulatpur: 'দৌলতপুর থানার কর্মকর্তা',
    };
    for (const [place, name] of Object.entries(places)) {
      const list = await page.goto(`${run.server.base}/console/officers`);
      assert.equal(list.status(), 200, `GET /console/officers answered HTTP ${list.status()}`);
      await assertBangla(page);

      const username = `oc.${place}.${flow.marker}`;
      await page.fill('#officer-form #username', username);
      await page.fill('#officer-form #name', name);
      await page.selectOption('#officer-form #role', 'thana_officer');
      await page.selectOption('#officer-form #place', place);
      const added = await clickAndWaitForPage(page, '#add-officer');
      assert.equal(added.status(), 200, `adding ${username} answered HTTP ${added.status()}`);
      assert.equal(await textOf(page, '#new-username'), username, 'the page after adding names another officer');
      const password = await textOf(page, '#one-time-password');
      assert.match(password, /^\S{12,}$/, `#one-time-password looks wrong: ${JSON.stringify(password)}`);
      flow.officers[place] = { username, password };
    }

    await page.goto(`${run.server.base}/console/officers`);
    const listed = await textsOf(page, '#officers tbody tr td:first-child');
    for (const { username } of Object.values(flow.officers)) {
      assert.ok(listed.includes(username), `${username} is not in the officers' list: ${JSON.stringify(listed)}`);
    }
  });

  run.step('citizen sends a secret drugs tip for Sonadanga', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());

    const form = await page.goto(`${run.server.base}/tips/new`);
    assert.equal(form.status(), 200, `GET /tips/new answered HTTP ${form.status()}`);
    await assertBangla(page);
    await page.selectOption('#tip-form select[name=category]', 'drugs');
    await page.selectOption('#tip-form select[name=thana]', 'sonadanga');
    await page.fill('#tip-form textarea[name=description]',
      `সোনাডাঙ্গা বাসস্ট্যান্ডের পাশে রাতে ইয়াবা বিক্রি হয় ${flow.marker}`);
    const sent = await clickAndWaitForPage(page, '#submit-tip');
    assert.ok(sent && sent.status() < 400, `sending the tip answered HTTP ${sent?.status()}`);

    flow.reference = await textOf(page, '#tip-reference');
    assert.match(flow.reference, /^T-\d{4}-\d{6}$/, `#tip-reference looks wrong: ${JSON.stringify(flow.reference)}`);
    assert.ok(await page.$('#receipt-bn'), 'the page after sending shows no receipt (#receipt-bn)');
  });

  run.step('Sonadanga officer logs in for the first time and opens the tip from the queue', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    flow.sonadangaPage = page;
    await firstLogIn(page, run.server.base, flow.officers.sonadanga);

    const links = await queueLinks(page);
    const link = links.find((l) => l.text === flow.reference);
    assert.ok(link, `${flow.reference} is not in the Sonadanga officer's queue; links: ${JSON.stringify(links)}`);
    const opened = await clickAndWaitForPage(page, `a.tip-link[href="${link.href}"]`);
    assert.equal(opened.status(), 200, `the tip page answered HTTP ${opened.status()}`);
    assert.equal(pathOf(page), `/console/tips/${flow.reference}`);
    await assertBangla(page);
    assert.ok(await page.$('#status-form'), 'the Sonadanga officer may not work the tip (no #status-form)');
  });

  run.step('Sonadanga officer changes the status, marks the tip urgent and sets a due date', async (local) => {
    const page = (local.page = flow.sonadangaPage);
    const tipPath = `/console/tips/${flow.reference}`;

    const statusLabel = await optionLabel(page, '#status', 'investigating');
    await page.selectOption('#status', 'investigating');
    await clickAndWaitForPage(page, '#change-status');
    assert.equal(pathOf(page), tipPath, 'changing the status left the tip page');
    assert.equal(await textOf(page, '#tip-status'), statusLabel, '#tip-status does not show the new status');
    assert.match(statusLabel, /[\u0980-\u09FF]/, `the status is not named in Bangla: ${statusLabel}`);

    assert.equal(await page.$('#tip-urgent'), null, 'the new tip is already marked urgent');
    await clickAndWaitForPage(page, '#set-urgent');
    assert.equal(pathOf(page), tipPath, 'marking urgent left the tip page');
    assert.ok(await page.$('#tip-urgent'), 'the tip is not shown as urgent (#tip-urgent) after #set-urgent');
    assert.ok(await page.$('#set-normal'), 'no button #set-normal on an urgent tip');

    const due = dueInAWeek();
    await page.fill('#due', due);
    await clickAndWaitForPage(page, '#set-due');
    assert.equal(pathOf(page), tipPath, 'setting the due date left the tip page');
    assert.equal(await page.$eval('#due', (el) => el.value), due, 'the due-date field does not keep the date');
    const shown = await textOf(page, '#tip-due');
    const [year, month, day] = due.split('-');
    assert.ok(bnToAscii(shown).startsWith(`${day}-${month}-${year}`),
      `#tip-due should show ${day}-${month}-${year} (in Bangla digits), shows ${JSON.stringify(shown)}`);
    assert.notEqual(bnToAscii(shown), shown, `#tip-due is not written in Bangla digits: ${JSON.stringify(shown)}`);
    await screenshot(page, `console-tip-worked-${backend}`);
  });

  run.step('Sonadanga officer transfers the tip to Khalishpur and no longer has it', async (local) => {
    const page = (local.page = flow.sonadangaPage);
    flow.khalishpurLabel = await optionLabel(page, '#transfer-form #place', 'khalishpur');
    await page.selectOption('#transfer-form #place', 'khalishpur');
    await page.fill('#transfer-form #reason', flow.reason);
    const moved = await clickAndWaitForPage(page, '#transfer');
    assert.equal(moved.status(), 200, `the page after #transfer answered HTTP ${moved.status()}`);
    assert.equal(pathOf(page), '/console', `after the transfer the officer is at ${page.url()}, not the queue`);
    const links = await queueLinks(page);
    assert.ok(!links.some((l) => l.text === flow.reference),
      `${flow.reference} is still in the Sonadanga queue: ${JSON.stringify(links)}`);
  });

  run.step('Daulatpur officer logs in for the first time and is refused the tip (403)', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    await firstLogIn(page, run.server.base, flow.officers.daulatpur);

    const links = await queueLinks(page);
    assert.ok(!links.some((l) => l.text === flow.reference),
      `${flow.reference} is in the Daulatpur queue: ${JSON.stringify(links)}`);

    const refused = await page.goto(`${run.server.base}/console/tips/${flow.reference}`);
    assert.equal(refused.status(), 403, `GET /console/tips/${flow.reference} answered HTTP ${refused.status()}, not 403`);
    await assertBangla(page);
    const text = await page.evaluate(() => document.body.innerText);
    assert.ok(!text.includes(flow.marker), 'the refusal page shows what the tipster wrote');
    await screenshot(page, `console-forbidden-${backend}`);
  });

  run.step('Khalishpur officer, on a tablet, finds the tip with the keyboard, with the reason as a note', async (local) => {
    const context = await run.newContext(TABLET);
    const page = (local.page = await context.newPage());
    await firstLogIn(page, run.server.base, flow.officers.khalishpur);

    const links = await queueLinks(page);
    assert.deepEqual(links.map((l) => l.text), [flow.reference],
      `the Khalishpur queue should hold only the transferred tip; links: ${JSON.stringify(links)}`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 768, `the queue scrolls sideways on a 768 px tablet (${wide} px wide)`);
    await screenshot(page, `console-queue-tablet-${backend}`);
    // The queue's shortcuts: j moves to the first tip, Enter opens it.
    await page.keyboard.press('j');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
    assert.equal(focused, flow.reference, 'j does not move to the first tip');
    const [opened] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.equal(opened.status(), 200, `the tip page answered HTTP ${opened.status()}`);
    assert.equal(pathOf(page), `/console/tips/${flow.reference}`);
    await assertBangla(page);

    assert.equal(await textOf(page, '#tip-assigned'), flow.khalishpurLabel, '#tip-assigned does not name Khalishpur');
    const notes = await textsOf(page, '.kind-note .message-body');
    assert.ok(notes.some((n) => n.includes(flow.reason)),
      `the transfer reason is not among the internal notes (.kind-note .message-body): ${JSON.stringify(notes)}`);
    assert.ok(await page.$('#tip-urgent'), 'the transferred tip lost its urgent mark');
    await screenshot(page, `console-tip-transferred-${backend}`);
  });

  run.step('administrator logs in again: the spent enrolment code is refused, a fresh one accepted', async (local) => {
    const page = (local.page = flow.adminPage);
    await clickAndWaitForPage(page, '#logout');
    assert.equal(pathOf(page), '/console/login', `after #logout the browser is at ${page.url()}`);

    await startLogIn(page, run.server.base, flow.admin);
    const replayed = await sendCode(page, flow.enrolCode);
    assert.equal(pathOf(page), '/console/login/code', 'a spent code let the administrator in');
    assert.ok(replayed.status() >= 400, `a spent code answered HTTP ${replayed.status()}`);
    assert.match(await textOf(page, '#form-error'), /[\u0980-\u09FF]/, 'the refusal is not explained in Bangla');

    await finishLogIn(page, flow.admin);
    const links = await queueLinks(page);
    assert.ok(links.some((l) => l.text === flow.reference),
      `${flow.reference} is not in the administrator's queue: ${JSON.stringify(links)}`);
  });

  run.step('administrator downloads the audit log of the tip as CSV: Bangla, and nothing the tipster wrote', async (local) => {
    const page = (local.page = flow.adminPage);
    await page.goto(`${run.server.base}/console/audit`);
    await page.fill('#audit-filters input[name="tip"]', flow.reference);
    await clickAndWaitForPage(page, '#filter');
    const rows = await textsOf(page, '#audit-log code.action');
    assert.ok(rows.includes('tip.transfer'), `the filtered log lacks the transfer: ${JSON.stringify(rows)}`);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#audit-export'),
    ]);
    assert.equal(await download.failure(), null, 'the download failed');
    assert.match(download.suggestedFilename(), /^audit-log-\d{8}-\d{6}\.csv$/,
      `the download is named ${JSON.stringify(download.suggestedFilename())}`);
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the file does not start with a UTF-8 BOM');
    const text = bytes.toString('utf8');
    assert.ok(text.includes('ক্রম'), 'the header is not in Bangla');
    assert.ok(text.includes('tip.transfer') && text.includes(flow.reference),
      'the file lacks the transfer of the tip');
    // (The marker is in the officers' usernames too, so the test looks for the words around it.)
    assert.ok(!text.includes('ইয়াবা বিক্রি হয়'), 'the file holds what the tipster wrote');
    assert.ok(!text.includes('বিক্রেতাকে দেখা গেছে'), 'the file holds the transfer\'s reason');

    // The download is itself in the log.
    await page.goto(`${run.server.base}/console/audit?action=audit.export`);
    assert.deepEqual(await textsOf(page, '#audit-log code.action'), ['audit.export'],
      'the download is not recorded in the audit log');
  });
});
