// End-to-end browser test of the news and the FAQ of Hello KMP.
//
// On SQLite and on PostgreSQL: the administrator (first log-in) adds an editor -> the editor
// (first log-in, with codes computed from the key) writes a post in Bangla and English with a
// picture carrying EXIF GPS and camera tags, saves it as a draft (citizens get 404 for it) and
// publishes it from the list -> a citizen on a phone sees it in /news in Bangla, switches to
// English and sees it in English, opens it: the picture loads, and the bytes served carry no
// GPS, make or model -> the citizen searches the FAQ in Bangla and in English and finds the
// answer about the receipt; a search that finds nothing points to 999.
//
// The picture is drawn by Chromium on a canvas in a blank page and tagged with exiftool
// (/usr/bin/exiftool, Debian package libimage-exiftool-perl) in a temporary folder.
//
// Run from tests/browser:  npm ci && node --test news_faq.test.mjs
// Environment: see README.md beside this file.

import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { firstLogIn } from './console_login.mjs';
import {
  DESKTOP, PHONE, assertBangla, clickAndWaitForPage, onEachBackend, pathOf, randomToken,
  screenshot, textOf, textsOf,
} from './support.mjs';

const EXIFTOOL = process.env.KMP_TEST_EXIFTOOL || '/usr/bin/exiftool';
const PICTURE_WIDTH = 640;
const PICTURE_HEIGHT = 360;

let workDir;
after(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function exiftool(args) {
  const res = spawnSync(EXIFTOOL, args, { encoding: 'utf8', timeout: 30_000 });
  if (res.error) throw new Error(`could not run ${EXIFTOOL}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`exiftool ${args.join(' ')} failed: ${res.stderr.trim()}`);
  return res.stdout;
}

/** A JPEG drawn by Chromium (two colour bands), then tagged with GPS and camera details. */
async function tellingPicture(context) {
  const blank = await context.newPage();
  let bytes;
  try {
    const b64 = await blank.evaluate(async ({ width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      g.fillStyle = 'rgb(18, 53, 91)';
      g.fillRect(0, 0, width, height / 2);
      g.fillStyle = 'rgb(230, 200, 60)';
      g.fillRect(0, height / 2, width, height / 2);
      const blob = await new Promise((done) => canvas.toBlob(done, 'image/jpeg', 0.9));
      const raw = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (let i = 0; i < raw.length; i += 0x8000) text += String.fromCharCode(...raw.subarray(i, i + 0x8000));
      return btoa(text);
    }, { width: PICTURE_WIDTH, height: PICTURE_HEIGHT });
    bytes = Buffer.from(b64, 'base64');
  } finally {
    await blank.close();
  }
  workDir ??= await mkdtemp(path.join(os.tmpdir(), 'hello-kmp-news-'));
  const file = path.join(workDir, `press-${randomToken(3)}.jpg`);
  await writeFile(file, bytes);
  exiftool(['-q', '-overwrite_original', '-GPSLatitude=22.8156', '-GPSLatitudeRef=N',
    '-GPSLongitude=89.5403', '-GPSLongitudeRef=E', '-Make=NewsDeskCam', '-Model=Press Phone 3',
    file]);
  const tags = JSON.parse(exiftool(['-j', '-n', file]))[0];
  assert.ok(tags.GPSLatitude && tags.Make, `the test picture was not tagged: ${JSON.stringify(tags)}`);
  return readFile(file);
}

/** The tags exiftool finds in `bytes`. */
async function tagsOf(bytes) {
  workDir ??= await mkdtemp(path.join(os.tmpdir(), 'hello-kmp-news-'));
  const file = path.join(workDir, `served-${randomToken(3)}.jpg`);
  await writeFile(file, bytes);
  return JSON.parse(exiftool(['-j', '-n', file]))[0];
}

onEachBackend('news and FAQ flow', (run) => {
  const { backend } = run;
  const flow = {
    marker: randomToken(3),
    admin: null,
    editor: null,
    editorPage: null,
    postPath: '',
  };
  const titleBn = `নতুন হেল্পলাইন চালু ${flow.marker}`;
  const titleEn = `New helpline opens ${flow.marker}`;

  run.step('administrator logs in and adds an editor', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    flow.admin = { username: run.server.username, password: run.server.password };
    await firstLogIn(page, run.server.base, flow.admin);

    await page.goto(`${run.server.base}/console/officers`);
    const username = `editor.${flow.marker}`;
    await page.fill('#officer-form #username', username);
    await page.fill('#officer-form #name', 'সংবাদ সম্পাদক');
    await page.selectOption('#officer-form #role', 'editor');
    await page.selectOption('#officer-form #place', 'kmp_hq');
    const added = await clickAndWaitForPage(page, '#add-officer');
    assert.equal(added.status(), 200, `adding the editor answered HTTP ${added.status()}`);
    flow.editor = { username, password: await textOf(page, '#one-time-password') };
  });

  run.step('editor logs in and writes a draft with a picture, which citizens cannot open', async (local) => {
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    flow.editorPage = page;
    await firstLogIn(page, run.server.base, flow.editor, { landing: '/console/account' });
    assert.ok(await page.$('#nav-news'), 'the editor\'s console has no link to the news (#nav-news)');
    assert.ok(!(await page.$('#nav-queue')), 'the editor sees a queue of tips');

    await clickAndWaitForPage(page, '#nav-news');
    assert.equal(pathOf(page), '/console/news');
    await assertBangla(page);
    await clickAndWaitForPage(page, '#news-new');
    await page.fill('#title_bn', titleBn);
    await page.fill('#title_en', titleEn);
    await page.fill('#summary_bn', 'থানাগুলোর নম্বর এখন এক জায়গায়।');
    await page.fill('#summary_en', 'The numbers of the thanas are now in one place.');
    await page.fill('#body_bn', 'প্রথম অনুচ্ছেদ।\n\nদ্বিতীয় অনুচ্ছেদ।');
    await page.fill('#body_en', 'First paragraph.\n\nSecond paragraph.');
    await page.fill('#alt_bn', 'নীল ও হলুদ দুটি রঙের ছবি');
    await page.fill('#alt_en', 'A picture in two colours, blue and yellow');
    const picture = await tellingPicture(context);
    await page.setInputFiles('#picture', { name: 'IMG_0042.jpg', mimeType: 'image/jpeg', buffer: picture });
    assert.equal(await page.isChecked('#published'), false, 'a new post starts as a draft');
    const saved = await clickAndWaitForPage(page, '#save-post');
    assert.equal(saved.status(), 200, `saving the draft answered HTTP ${saved.status()}`);
    assert.equal(pathOf(page), '/console/news', 'after saving, the list of posts');
    const rows = await textsOf(page, '#news-posts .post-title');
    assert.deepEqual(rows, [titleBn], `the console lists ${JSON.stringify(rows)}`);

    const href = await page.$eval('#news-posts .post-title', (a) => a.getAttribute('href'));
    const id = href.split('/').pop();
    flow.postPath = `/news/${id}-new-helpline-opens-${flow.marker}`;
    const citizen = await fetch(`${run.server.base}${flow.postPath}`);
    assert.equal(citizen.status, 404, `a draft answered HTTP ${citizen.status} to a citizen`);
  });

  run.step('editor publishes the post from the list', async (local) => {
    const page = (local.page = flow.editorPage);
    await clickAndWaitForPage(page, '#news-posts .post-publish');
    assert.equal(pathOf(page), '/console/news');
    assert.ok(await page.$('#news-posts .post-public'), 'the published post has no public link');
    await screenshot(page, `console-news-${backend}`);
  });

  run.step('citizen reads the post in Bangla and in English, and its picture loads clean', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    const list = await page.goto(`${run.server.base}/news`);
    assert.equal(list.status(), 200, `GET /news answered HTTP ${list.status()}`);
    await assertBangla(page);
    const bn = await textsOf(page, '.news-item h2');
    assert.deepEqual(bn, [titleBn], `the Bangla list shows ${JSON.stringify(bn)}`);

    await clickAndWaitForPage(page, 'a.lang-switch');
    assert.equal(pathOf(page), '/news');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    const en = await textsOf(page, '.news-item h2');
    assert.deepEqual(en, [titleEn], `the English list shows ${JSON.stringify(en)}`);

    await clickAndWaitForPage(page, '.news-item h2 a');
    assert.equal(pathOf(page), flow.postPath);
    assert.equal(await textOf(page, 'h1'), titleEn);
    const shown = await page.$eval('#news-picture', (img) => ({
      complete: img.complete,
      natural: [img.naturalWidth, img.naturalHeight],
      alt: img.alt,
      src: img.getAttribute('src'),
    }));
    assert.ok(shown.complete, 'the picture did not finish loading');
    assert.deepEqual(shown.natural, [PICTURE_WIDTH, PICTURE_HEIGHT], 'the picture is not the one sent');
    assert.equal(shown.alt, 'A picture in two colours, blue and yellow');
    const og = await page.$eval('meta[property="og:image"]', (m) => m.content);
    assert.ok(og.endsWith(shown.src), `og:image ${og} is not the picture ${shown.src}`);
    await screenshot(page, `news-post-${backend}`);

    const served = await page.request.get(`${run.server.base}${shown.src}`);
    assert.equal(served.status(), 200);
    assert.equal(served.headers()['content-type'], 'image/jpeg');
    const tags = await tagsOf(await served.body());
    for (const tag of ['GPSLatitude', 'GPSLongitude', 'Make', 'Model']) {
      assert.equal(tags[tag], undefined, `${tag} survived in the picture served: ${JSON.stringify(tags)}`);
    }

    await clickAndWaitForPage(page, 'a.lang-switch');
    assert.equal(await textOf(page, 'h1'), titleBn, 'back in Bangla, the post is in Bangla');
  });

  run.step('citizen searches the FAQ in Bangla and in English', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    const faq = await page.goto(`${run.server.base}/faq`);
    assert.equal(faq.status(), 200, `GET /faq answered HTTP ${faq.status()}`);
    await assertBangla(page);
    await page.fill('#q', 'রসিদ');
    await clickAndWaitForPage(page, '#faq-search-button');
    const found = await textsOf(page, '.faq-entry h3');
    assert.deepEqual(found, ['রসিদ নম্বর কী, আর হারালে কেন আবার পাওয়া যায় না?'],
      `the Bangla search found ${JSON.stringify(found)}`);
    assert.ok(await page.$('#faq-found'), 'no count of answers found');
    await screenshot(page, `faq-search-${backend}`);

    await clickAndWaitForPage(page, 'a.lang-switch');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.fill('#q', 'Receipt');
    await clickAndWaitForPage(page, '#faq-search-button');
    const english = await textsOf(page, '.faq-entry h3');
    assert.deepEqual(english, ['What is the receipt, and why can it not be given again?'],
      `the English search found ${JSON.stringify(english)}`);

    await page.fill('#q', `nothing-like-this-${flow.marker}`);
    await clickAndWaitForPage(page, '#faq-search-button');
    assert.ok(await page.$('#faq-none a[href="tel:999"]'), 'a search without result does not point to 999');
  });
});
