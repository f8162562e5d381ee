// Browser test of the contacts page and "my nearest thana" of Hello KMP.
//
// On SQLite and on PostgreSQL: the administrator publishes Harintana's number in the console ->
// a citizen (Bangla, phone screen) opens /contacts, sees 999 first, searches "হরিনটানা" (the
// spelling with ন) and "Horintana" and finds Harintana with its number as a tel: link -> no
// "my nearest thana" yet -> the census boundaries are imported with `hello-kmp import
// boundaries`, beside the running server -> with the phone's location (granted, set in the
// browser) at a known point of Sonadanga the button names Sonadanga; at the railway station in
// Harintana's area, outside every boundary, the page says so and lists every thana.
//
// The boundaries are the shared test data, read from KMP_GEO_DIR (never kept in the repository).
// Run from tests/browser:  npm ci && node --test contacts.test.mjs
// Environment: see README.md beside this file.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { firstLogIn } from './console_login.mjs';
import {
  DESKTOP, PHONE, assertBangla, clickAndWaitForPage, onEachBackend, pathOf, screenshot, textOf,
  textsOf,
} from './support.mjs';

const THANAS_FILE = process.env.KMP_GEO_DIR
  ? path.join(process.env.KMP_GEO_DIR, 'khulna-bbs-thanas.geojson')
  : null;
/** The census thanas' `name_en` and the KMP thana each one is. */
const THANA_MAP = [
  'Daulatpur=daulatpur',
  'Khalishpur=khalishpur',
  'Khan Jahan Ali=khan_jahan_ali',
  'Khulna Sadar=khulna_sadar',
  'Sonadanga=sonadanga',
];
/** Known points of the test data's README. */
const SONADANGA = { latitude: 22.817, longitude: 89.550 };
const HARINTANA_STATION = { latitude: 22.791314, longitude: 89.520155 };

/** The ids of the entries of a list of contacts. */
async function entryIds(page, list) {
  return page.$$eval(`${list} > li`, (els) => els.map((li) => li.id));
}

onEachBackend('contacts', (run) => {
  const { backend } = run;

  run.step('the boundary test data is where KMP_GEO_DIR says', async () => {
    assert.ok(THANAS_FILE, 'KMP_GEO_DIR is not set: point it at the shared geographic test data ' +
      '(../shared/data/geo; scripts/test.sh sets it)');
    assert.ok(existsSync(THANAS_FILE), `${THANAS_FILE} is missing: KMP_GEO_DIR must name the ` +
      'folder of the shared geographic test data');
  });

  run.step('the administrator publishes Harintana\'s number in the console', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    const admin = { username: run.server.username, password: run.server.password };
    await firstLogIn(page, run.server.base, admin);
    await page.goto(`${run.server.base}/console/contacts`);
    assert.ok(await page.$('#hotline-333 .to-confirm'), '333 is not shown as to be confirmed');
    await clickAndWaitForPage(page, '#place-harintana a');
    assert.equal(pathOf(page), '/console/contacts/harintana');
    // A made-up letter is refused, in both languages, and the field keeps what was typed.
    await page.fill('#phone', '01712-34567X');
    await clickAndWaitForPage(page, '#save-contact');
    const error = await textOf(page, '#form-error');
    assert.match(error, /বাংলাদেশের নম্বর/, `no Bangla refusal: ${error}`);
    assert.match(error, /cannot be dialled/, `no English refusal: ${error}`);
    assert.equal(await page.inputValue('#phone'), '01712-34567X');
    await page.fill('#phone', '০৪১-৭৬১০০১');
    await clickAndWaitForPage(page, '#save-contact');
    assert.ok(await page.$('#done'), 'no confirmation that the number was saved');
    assert.equal(await page.inputValue('#phone'), '041-761001');
  });

  run.step('a citizen finds Harintana by other spellings, in Bangla, with a tel: link', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/contacts`);
    await assertBangla(page);
    const first = await page.$eval('li.contact', (li) => li.id);
    assert.equal(first, 'hotline-999', '999 is not the first contact');
    assert.equal(await page.$eval('#emergency a.tel', (a) => a.getAttribute('href')), 'tel:999');
    assert.equal(await page.$('#nearest'), null, '"my nearest thana" offered without boundaries');

    for (const spelling of ['হরিনটানা', 'Horintana']) {
      await page.fill('#q', spelling);
      await clickAndWaitForPage(page, '#search');
      const ids = await entryIds(page, '#results');
      assert.equal(ids[0], 'contact-harintana', `"${spelling}" found ${JSON.stringify(ids)}`);
      const links = await page.$$eval('#contact-harintana a.tel',
        (els) => els.map((a) => ({ href: a.getAttribute('href'), text: a.textContent.trim() })));
      assert.deepEqual(links, [{ href: 'tel:+88041761001', text: '০৪১-৭৬১০০১' }]);
    }
    await screenshot(page, `contacts-search-${backend}`);
  });

  run.step('boundaries are imported with the command line beside the running server', async () => {
    const args = ['import', 'boundaries', THANAS_FILE, '--property', 'name_en',
      '--attribution', 'Boundaries: Bangladesh Bureau of Statistics / OCHA (CC BY 3.0 IGO)'];
    for (const m of THANA_MAP) args.push('--map', m);
    const out = run.cli(args);
    assert.equal(out.status, 0, `the import failed:\n${out.stderr}`);
    assert.match(out.stdout, /Imported 5 features for 5 thanas/);
  });

  run.step('with the phone in Sonadanga, "my nearest thana" names Sonadanga', async (local) => {
    const context = await run.newContext({ ...PHONE, geolocation: SONADANGA, permissions: ['geolocation'] });
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/contacts`);
    // The script shows the button once it may ask the phone where it is.
    await page.waitForSelector('#nearest', { state: 'visible' });
    await clickAndWaitForPage(page, '#nearest');
    assert.equal(pathOf(page), '/contacts/nearest');
    await assertBangla(page);
    assert.deepEqual(await entryIds(page, '#nearest-thanas'), ['contact-sonadanga']);
    assert.match(await textOf(page, '#nearest-answer'), /এই থানার এলাকায়/);
    assert.match(await textOf(page, '#contact-sonadanga .unpublished'), /প্রকাশিত হয়নি/);
    assert.match(await textOf(page, '#attribution'), /Bangladesh Bureau of Statistics/);
    await screenshot(page, `contacts-nearest-${backend}`);
  });

  run.step('outside every boundary, the page says so and lists every thana', async (local) => {
    const context = await run.newContext({
      ...PHONE, geolocation: HARINTANA_STATION, permissions: ['geolocation'],
    });
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/contacts`);
    await page.waitForSelector('#nearest', { state: 'visible' });
    await clickAndWaitForPage(page, '#nearest');
    assert.match(await textOf(page, '#nearest-answer'), /ভেতরে নয়/);
    assert.equal((await textsOf(page, '#thanas > li .contact-name')).length, 8);
    assert.equal(await page.$('#nearest-thanas'), null);
  });
});
