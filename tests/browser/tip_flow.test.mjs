// End-to-end browser test of the secret-tip flow of Hello KMP.
//
// Starts the real `hello-kmp` binary (once on SQLite, once on PostgreSQL in a fresh schema),
// drives the system Chromium through playwright-core, and walks the whole path a tip takes:
// citizen sends it (Bangla, phone screen) -> gets a receipt -> officer logs in with two factors,
// reads it and asks a question in the console -> citizen comes back with the receipt, reads the
// question, answers.
//
// Run from tests/browser:  npm ci && node --test
// Environment: see README.md beside this file.

import assert from 'node:assert/strict';

import { firstLogIn } from './console_login.mjs';
import {
  DESKTOP, PHONE, bnToAscii, clickAndWaitForPage, onEachBackend, randomToken, screenshot, sleep,
  textOf, textsOf,
} from './support.mjs';

onEachBackend('secret tip flow', (run) => {
  const { backend } = run;
  // What the steps hand on to each other.
  const flow = {
    marker: randomToken(3),
    description: '',
    receiptBn: '',
    receiptAscii: '',
    reference: '',
    question: 'আপনি কি সময়টা বলতে পারবেন?',
    answer: '',
    citizenPage: null,
  };
  flow.description = `সোনাডাঙ্গা বাসস্ট্যান্ডের পেছনে রাতে ইয়াবা বিক্রি হয় ${flow.marker}`;
  flow.answer = `প্রতি রাতে এগারোটার পরে, চিহ্ন ${flow.marker}`;

  run.step('citizen sends a tip in Bangla and gets a receipt', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    flow.citizenPage = page;

    const home = await page.goto(`${run.server.base}/`);
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

  run.step('citizen must tick "I saved it" before leaving the receipt page', async (local) => {
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

  run.step('officer logs in (first log-in, two factors), finds the tip and asks a question', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());

    // The administrator's first log-in: own password, authenticator, recovery codes, console.
    const admin = { username: run.server.username, password: run.server.password };
    await firstLogIn(page, run.server.base, admin);

    const rows = await page.$$('table.queue tbody tr');
    assert.ok(rows.length >= 1, 'the queue table.queue tbody has no rows');
    const links = await page.$$eval('table.queue tbody tr a.tip-link',
      (els) => els.map((a) => ({ text: a.textContent.trim(), href: a.getAttribute('href') })));
    const mine = links.find((l) => l.text === flow.reference);
    assert.ok(mine, `no a.tip-link with the text ${flow.reference} in the queue; links: ${JSON.stringify(links)}`);
    assert.equal(new URL(mine.href, run.server.base).pathname, `/console/tips/${flow.reference}`,
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

  run.step('citizen comes back with the receipt, reads the question and answers', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());

    const res = await page.goto(`${run.server.base}/follow-up`);
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

  run.step('switching language on a half-written tip keeps what was typed, once', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/tips/new`);
    const words = `অর্ধেক লেখা ${flow.marker}`;
    await page.selectOption('#tip-form select[name=category]', 'theft');
    await page.fill('#tip-form textarea[name=description]', words);
    await clickAndWaitForPage(page, 'a.lang-switch');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the page is now in English');
    assert.equal(await page.$eval('#description', (t) => t.value), words, 'the text came along');
    assert.equal(await page.$eval('#tip-form select[name=category]', (s) => s.value), 'theft');
    // The copy is gone once used: opening the form again starts empty.
    await page.goto(`${run.server.base}/tips/new`);
    assert.equal(await page.$eval('#description', (t) => t.value), '', 'nothing kept for later');
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing left in the tab');
  }, { independent: true });

  run.step('a tip with an empty description is refused with an error, keeping the category', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());

    const res = await page.goto(`${run.server.base}/tips/new`);
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
