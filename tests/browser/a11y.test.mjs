// Accessibility of every citizen page, in Bangla and in English, error states included:
//
// - axe-core (from node_modules, put into the page by the test, never served by the product)
//   finds no serious or critical violation, and nothing outside a landmark;
// - every control has an accessible name, in Bengali script on a Bangla page and in Latin
//   letters on an English one (a control marked with the other language, such as the language
//   switch, in that language), and both languages have the same controls;
// - on a 360 × 640 screen with the text at 200 % nothing scrolls sideways: Chromium's default
//   font size is set to 32 px (16 px is 100 %) through the DevTools protocol
//   (`Page.setFontSizes`), as a reader's own text-size setting does, and
//   `document.documentElement.scrollWidth` must not exceed `innerWidth`; screenshots of the home
//   page at 360 × 640 at 100 % and 200 % are saved;
// - the tip flow and the follow-up flow are completed with the keyboard alone (Tab, Shift+Tab,
//   Enter, Space, typing, and the arrow keys in a drop-down), and every element that takes the
//   focus shows it (an outline).
//
// Run from tests/browser:  npm ci && node --test a11y.test.mjs
// Environment: see README.md beside this file.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import {
  bnToAscii, clickAndWaitForPage, onEachBackend, pathOf, randomToken, screenshot, textOf,
} from './support.mjs';

const AXE_SOURCE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Every citizen page, with the steps that bring it up. Adding a page is one line.
const CITIZEN_PAGES = [
  { name: 'home', path: '/' },
  { name: 'tip form', path: '/tips/new' },
  { name: 'tip form refused', path: '/tips/new', then: sendRefusedTip },
  { name: 'tip form with a tip waiting on the phone', path: '/tips/new', then: keepTipOnPhone, after: deleteWaitingTip },
  { name: 'receipt', path: '/tips/new', then: sendTip },
  { name: 'follow-up', path: '/follow-up' },
  { name: 'follow-up with a wrong receipt', path: '/follow-up', then: lookUpWrongReceipt },
  { name: 'tip status', path: '/follow-up', then: lookUpReceipt },
  { name: 'tip status with a refused message', path: '/follow-up', then: sendEmptyMessage },
  { name: 'offline page', path: '/offline' },
  { name: 'page not found', path: '/no-such-page' },
  { name: 'contacts', path: '/contacts' },
  { name: 'contacts search', path: '/contacts?q=daulatpur' },
  { name: 'FAQ', path: '/faq' },
  { name: 'FAQ search with no answer', path: '/faq?q=zzzzqqq' },
  { name: 'news', path: '/news' },
  { name: 'SOS', path: '/sos' },
];

const LANGUAGES = ['bn', 'en'];
const BENGALI = /[\u0980-\u09FF]/;
const LATIN = /[A-Za-z]/;

// ---------------------------------------------------------------------------------------------
// How the pages are brought up

/** Gets past the browser's own checks so that the server's are tested. */
async function withoutBrowserChecks(page, form) {
  await page.$eval(form, (f) => {
    f.noValidate = true;
    for (const el of f.querySelectorAll('[required]')) el.removeAttribute('required');
  });
}

async function sendRefusedTip(page) {
  await page.fill('#tip-form textarea[name=description]', '   ');
  await withoutBrowserChecks(page, '#tip-form');
  await clickAndWaitForPage(page, '#submit-tip');
  assert.ok(await page.$('#form-error'), 'the refused tip shows #form-error');
}

async function writeTip(page) {
  await page.selectOption('#tip-form select[name=category]', 'theft');
  await page.fill('#tip-form textarea[name=description]', `সোনাডাঙ্গা ট্রাক স্ট্যান্ডে মোবাইল ছিনতাই ${randomToken(3)}`);
}

async function sendTip(page) {
  await writeTip(page);
  await clickAndWaitForPage(page, '#submit-tip');
  assert.ok(await page.$('#receipt-bn'), 'a receipt is shown');
}

async function keepTipOnPhone(page, env) {
  await env.context.setOffline(true);
  await writeTip(page);
  await page.click('#submit-tip');
  await page.waitForSelector('.draft .draft-status:not(:empty)');
}

async function deleteWaitingTip(page, env) {
  await page.click('.draft [data-draft=delete]');
  await page.waitForFunction(() => {
    const line = document.querySelector('.draft .draft-status');
    return line && line.textContent === line.dataset.deleted;
  });
  await env.context.setOffline(false);
}

async function lookUpWrongReceipt(page) {
  await page.fill('#receipt', '1234 5678');
  await clickAndWaitForPage(page, '#lookup');
  assert.ok(await page.$('#form-error'), 'the wrong receipt shows #form-error');
}

async function lookUpReceipt(page, env) {
  await page.fill('#receipt', env.receipt);
  await clickAndWaitForPage(page, '#lookup');
  assert.ok(await page.$('#status'), 'the status page shows #status');
}

async function sendEmptyMessage(page, env) {
  await lookUpReceipt(page, env);
  await page.fill('#message', '  ');
  await withoutBrowserChecks(page, '#message-form');
  await clickAndWaitForPage(page, '#send-message');
  assert.ok(await page.$('#form-error'), 'the empty message shows #form-error');
}

/** Opens one page of the list; answers a function that undoes what the opening left behind. */
async function open(page, entry, env) {
  await page.goto(`${env.base}${entry.path}`);
  if (entry.then) await entry.then(page, env);
  return () => (entry.after ? entry.after(page, env) : undefined);
}

/** A context whose pages are in `lang`, and a valid receipt for its follow-up pages. */
async function languageContext(run, lang, options) {
  const context = await run.newContext({ locale: 'bn-BD', ...options });
  if (lang === 'en') {
    await context.addCookies([{ name: 'lang', value: 'en', url: run.server.base }]);
  }
  return context;
}

/** A tip sent through the JSON API, for its receipt. */
async function receiptFor(base) {
  const answer = await fetch(`${base}/api/v1/tips`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ category: 'drugs', description: 'খালিশপুর জুট মিলের পেছনে ইয়াবা', thana: 'khalishpur' }),
  });
  assert.equal(answer.status, 201, `POST /api/v1/tips answered ${answer.status}`);
  return (await answer.json()).receipt;
}

// ---------------------------------------------------------------------------------------------
// What is checked on each page

/** axe-core's serious and critical violations on the page, described. */
async function seriousViolations(page) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      passed: result.passes.length,
      found: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
      })),
    };
  });
  assert.ok(violations.passed >= 10, `axe-core ran only ${violations.passed} rules that passed`);
  // Besides what is serious, everything on a page sits in a landmark (axe's "region"), so a
  // screen reader's list of landmarks reaches the call to 999 as well.
  return violations.found.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'region');
}

/** Every control the reader can reach, with its accessible name (axe-core's) and language. */
async function controlNames(page) {
  return page.evaluate(() => {
    window.axe.setup(document);
    try {
      const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
      return [...document.querySelectorAll(selector)]
        .filter((el) => el.checkVisibility({ visibilityProperty: true }))
        .map((el) => ({
          control: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''}`,
          name: window.axe.commons.text.accessibleText(el).trim(),
          lang: (el.closest('[lang]') || document.documentElement).getAttribute('lang'),
        }));
    } finally {
      window.axe.teardown();
    }
  });
}

function checkNames(controls, where) {
  assert.ok(controls.length > 0, `${where}: no controls found`);
  for (const { control, name, lang } of controls) {
    assert.ok(name.length > 0, `${where}: ${control} has no accessible name`);
    if (lang === 'bn') {
      assert.match(name, BENGALI, `${where}: ${control} is named ${JSON.stringify(name)}, not in Bangla`);
    } else {
      assert.match(name, LATIN, `${where}: ${control} is named ${JSON.stringify(name)}, not in English`);
      assert.doesNotMatch(name, BENGALI, `${where}: ${control} is named ${JSON.stringify(name)}, partly in Bangla`);
    }
  }
}

/** Elements that reach past the right edge of the screen, for the failure message. */
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    return {
      width,
      scrollWidth: document.documentElement.scrollWidth,
      fontSize: getComputedStyle(document.documentElement).fontSize,
      wide: [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 0.5)
        .slice(0, 8)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} (right ${Math.round(el.getBoundingClientRect().right)})`),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The keyboard

/** What has the focus, and whether it shows (an outline or a box shadow). */
async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
      id: el.id, tag: el.tagName.toLowerCase(),
      describe: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''}`,
      visible: outline || (style.boxShadow && style.boxShadow !== 'none'),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the element matching `selector` has the focus, checking that
 * every element the focus lands on shows it.
 */
async function tabTo(page, selector, { back = false, most = 40 } = {}) {
  const path = [];
  for (let i = 0; i < most; i += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    path.push(now.describe);
    if (now.tag !== 'body') {
      assert.ok(now.visible, `${pathOf(page)}: the focus on ${now.describe} does not show (outline ${now.outline})`);
    }
    if (await page.evaluate((s) => document.activeElement.matches(s), selector)) return path;
  }
  throw new Error(`${pathOf(page)}: ${back ? 'Shift+Tab' : 'Tab'} never reached ${selector}; the focus went ${path.join(' → ')}`);
}

/** Presses a key that loads another page, and waits for it. */
async function pressAndWait(page, key) {
  const navigation = page.waitForNavigation({ waitUntil: 'load' });
  await page.keyboard.press(key);
  return navigation;
}

// ---------------------------------------------------------------------------------------------

onEachBackend('accessibility of citizen pages', (run) => {
  const env = { base: '', receipt: '', context: null };

  for (const lang of LANGUAGES) {
    run.step(`axe-core finds nothing serious and every control is named, in ${lang}`, async (local) => {
      env.base = run.server.base;
      env.receipt = env.receipt || await receiptFor(env.base);
      env.context = await languageContext(run, lang, { viewport: { width: 390, height: 844 } });
      const page = (local.page = await env.context.newPage());
      const counts = (env.counts = env.counts || {});
      for (const entry of CITIZEN_PAGES) {
        const undo = await open(page, entry, env);
        const where = `${entry.name} (${lang}, ${pathOf(page)})`;
        // What a folded part holds is checked too.
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
        const serious = await seriousViolations(page);
        assert.deepEqual(serious, [], `${where}: axe-core found ${JSON.stringify(serious, null, 2)}`);
        const controls = await controlNames(page);
        checkNames(controls, where);
        counts[entry.name] = counts[entry.name] || {};
        counts[entry.name][lang] = controls.length;
        await undo();
      }
      if (lang === LANGUAGES[LANGUAGES.length - 1]) {
        for (const [name, byLang] of Object.entries(counts)) {
          assert.equal(byLang.bn, byLang.en, `${name}: ${byLang.bn} controls in Bangla but ${byLang.en} in English`);
        }
      }
    }, { independent: true });
  }

  for (const lang of LANGUAGES) {
    run.step(`nothing scrolls sideways at 360 × 640 with the text at 200 %, in ${lang}`, async (local) => {
      env.base = run.server.base;
      env.receipt = env.receipt || await receiptFor(env.base);
      env.context = await languageContext(run, lang, { viewport: { width: 360, height: 640 }, deviceScaleFactor: 2 });
      const page = (local.page = await env.context.newPage());

      await page.goto(`${env.base}/`);
      await screenshot(page, `home-360x640-${lang}-${run.backend}`);
      const cdp = await env.context.newCDPSession(page);
      await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32, fixed: 26 } });

      for (const entry of CITIZEN_PAGES) {
        const undo = await open(page, entry, env);
        const seen = await overflow(page);
        const where = `${entry.name} (${lang}, ${pathOf(page)})`;
        assert.equal(seen.fontSize, '32px', `${where}: the text is not at 200 % (root font size ${seen.fontSize})`);
        assert.equal(seen.width, 360, `${where}: the screen is ${seen.width} px wide`);
        assert.ok(seen.scrollWidth <= seen.width,
          `${where}: the page is ${seen.scrollWidth} px wide on a ${seen.width} px screen; too wide: ${seen.wide.join(', ')}`);
        if (entry.path === '/' && !entry.then) await screenshot(page, `home-360x640-text-200-${lang}-${run.backend}`);
        await undo();
      }
    }, { independent: true });
  }

  run.step('a refused form puts the focus on the reason, the text kept', async (local) => {
    const context = await languageContext(run, 'en', { viewport: { width: 390, height: 844 } });
    const page = (local.page = await context.newPage());
    await page.goto(`${run.server.base}/tips/new`);
    await page.selectOption('#category', 'drugs');
    // Spaces pass the browser's own "required" check; the server refuses them.
    await page.fill('#description', '   ');
    await tabTo(page, '#submit-tip');
    await pressAndWait(page, 'Enter');
    assert.ok(await page.$('#form-error'), 'the form came back with its reason');
    assert.equal((await focused(page)).id, 'form-error', 'the focus starts at the reason');
    assert.equal(await page.$eval('#category', (s) => s.value), 'drugs', 'the choice is kept');
    await tabTo(page, '#description');
  }, { independent: true });

  run.step('the tip and follow-up flows work with the keyboard alone, the focus always shown', async (local) => {
    const context = await languageContext(run, 'bn', { viewport: { width: 390, height: 844 } });
    const page = (local.page = await context.newPage());
    const marker = randomToken(3);
    const description = `লবণচরা বাঁধের পাশে রাতে জুয়ার আসর বসে ${marker}`;

    await page.goto(`${run.server.base}/`);
    await tabTo(page, 'a[href="/tips/new"]');
    await pressAndWait(page, 'Enter');
    assert.equal(pathOf(page), '/tips/new');

    await tabTo(page, '#category');
    await page.keyboard.press('ArrowDown');
    assert.notEqual(await page.$eval('#category', (s) => s.value), '', 'the arrow key chose a subject');
    await tabTo(page, '#description');
    await page.keyboard.type(description);
    await tabTo(page, '#submit-tip');
    // Back to the text and forward again: Shift+Tab works too.
    await tabTo(page, '#description', { back: true });
    assert.equal(await page.$eval('#description', (t) => t.value), description);
    await tabTo(page, '#submit-tip');
    await pressAndWait(page, 'Enter');
    const receipt = bnToAscii(await textOf(page, '#receipt-bn')).replace(/\s+/g, '');
    assert.match(receipt, /^\d{25}$/, 'the tip sent by keyboard got a receipt');
    assert.equal((await focused(page)).id, 'receipt-label', 'the focus starts at the receipt');

    await tabTo(page, '#saved');
    await page.keyboard.press('Space');
    assert.equal(await page.$eval('#saved', (c) => c.checked), true, 'Space ticks "I have saved it"');
    await tabTo(page, '#done');
    await pressAndWait(page, 'Enter');
    assert.equal(pathOf(page), '/');

    await tabTo(page, 'a[href="/follow-up"]');
    await pressAndWait(page, 'Enter');
    await tabTo(page, '#receipt');
    await page.keyboard.type(receipt);
    await pressAndWait(page, 'Enter');
    assert.ok(await page.$('#status'), 'the receipt typed and Enter opened the status page');

    const answer = `সময়টা রাত দশটার পরে ${marker}`;
    await tabTo(page, '#message');
    await page.keyboard.type(answer);
    await tabTo(page, '#send-message');
    await pressAndWait(page, 'Space');
    const mine = await page.$$eval('.message.from-tipster .message-body', (els) => els.map((e) => e.textContent));
    assert.ok(mine.some((m) => m.includes(answer)), 'the message sent by keyboard is on the status page');
  }, { independent: true });
});
