// End-to-end browser test of photos sent with a secret tip (evidence) in Hello KMP.
//
// On SQLite and on PostgreSQL: a citizen on a phone attaches a JPEG carrying EXIF GPS, camera
// make and model and an orientation tag to a drugs tip for Sonadanga -> the administrator (first
// log-in) sees the file on the tip's page flagged "metadata removed" with its SHA-256, downloads
// it: same SHA-256, no GPS, make or model left, turned upright -> a text file named photo.jpg is
// refused (415) with the error in Bangla and English, the description kept, on a phone with
// JavaScript off, and refused as it is sent, in the file's line, with JavaScript -> a 2.5 MB voice
// note goes a piece at a time with a progress bar, carries on after its connection drops, and
// the administrator downloads the same bytes -> a large photo
// (3000 x 1200) is shrunk by the page's script to a 2048 x 819 JPEG before it is sent, the submit
// button disabled meanwhile, and the administrator sees it listed at 2048 px at most.
//
// The photo is made by the test: a tiny grayscale baseline JPEG written here, tagged with
// exiftool (/usr/bin/exiftool, Debian package libimage-exiftool-perl) in a temporary folder. The
// large photo is drawn and exported as a JPEG by Chromium itself, in a blank page.
//
// Run from tests/browser:  npm ci && node --test
// Environment: see README.md beside this file.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { firstLogIn } from './console_login.mjs';
import {
  DESKTOP, PHONE, assertBangla, bnToAscii, clickAndWaitForPage, onEachBackend, pathOf, queueLinks,
  randomToken, screenshot, textOf, textsOf,
} from './support.mjs';

const EXIFTOOL = process.env.KMP_TEST_EXIFTOOL || '/usr/bin/exiftool';

// ---------------------------------------------------------------------------------------------
// The photo: a tiny JPEG made here, then tagged with exiftool

/** Width and height of the test photo as stored (before its orientation is applied). */
const PHOTO_WIDTH = 32;
const PHOTO_HEIGHT = 16;
/** EXIF orientation 6: the camera was turned, the picture is shown turned 90° clockwise. */
const PHOTO_ORIENTATION = 6;
const PHOTO_TAGS = {
  Make: 'KMPTestCam',
  Model: 'Evidence Phone 7',
  GPSLatitude: 22.8203,
  GPSLatitudeRef: 'N',
  GPSLongitude: 89.5442,
  GPSLongitudeRef: 'E',
};

function segment(marker, payload) {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/**
 * A baseline grayscale JPEG, `width` x `height` (multiples of 8), each 8 x 8 block of one gray
 * `shade(column, row)`. With flat blocks only the DC coefficients are non-zero, so a quantisation
 * table of ones and two small Huffman tables (DC: categories 0-11 as 4-bit codes; AC: end of
 * block "00") are all it needs.
 */
function tinyJpeg(width, height, shade) {
  const bits = [];
  const put = (value, count) => {
    for (let i = count - 1; i >= 0; i--) bits.push((value >> i) & 1);
  };
  let previous = 0;
  for (let row = 0; row < height / 8; row++) {
    for (let column = 0; column < width / 8; column++) {
      // The forward DCT of a flat block: DC = 8 * (level - 128), all AC = 0.
      const dc = 8 * (shade(column, row) - 128);
      const diff = dc - previous;
      previous = dc;
      const category = diff === 0 ? 0 : Math.abs(diff).toString(2).length;
      put(category, 4);
      if (category > 0) put(diff > 0 ? diff : diff + (1 << category) - 1, category);
      put(0b00, 2); // end of block
    }
  }
  while (bits.length % 8) bits.push(1);
  const scan = [];
  for (let i = 0; i < bits.length; i += 8) {
    const byte = parseInt(bits.slice(i, i + 8).join(''), 2);
    scan.push(byte);
    if (byte === 0xff) scan.push(0x00);
  }

  const counts = (length, n) => { const c = Array(16).fill(0); c[length - 1] = n; return c; };
  const frame = Buffer.alloc(9);
  frame.writeUInt8(8, 0);
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  frame.set([1, 1, 0x11, 0], 5);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([...Buffer.from('JFIF\0', 'latin1'), 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xdb, Buffer.from([0x00, ...Array(64).fill(1)])),
    segment(0xc0, frame),
    segment(0xc4, Buffer.from([0x00, ...counts(4, 12), ...Array.from({ length: 12 }, (_, i) => i)])),
    segment(0xc4, Buffer.from([0x10, ...counts(2, 2), 0x00, 0x01])),
    segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])),
    Buffer.from(scan),
    Buffer.from([0xff, 0xd9]),
  ]);
}

function exiftool(args) {
  const res = spawnSync(EXIFTOOL, args, { encoding: 'utf8', timeout: 30_000 });
  if (res.error) throw new Error(`could not run ${EXIFTOOL}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`exiftool ${args.join(' ')} failed: ${res.stderr.trim()}`);
  return res.stdout;
}

/** The tags exiftool reads in a file, by tag name, with numeric values (-n). */
function readTags(file) {
  return JSON.parse(exiftool(['-j', '-n', file]))[0];
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * How Chromium shows a photo: its size and the gray of the centre of each 8 x 8 block, row by
 * row. Chromium turns a photo by its EXIF orientation, as a phone's gallery does.
 */
async function blockShades(page, bytes) {
  return page.evaluate(async (b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([data], { type: 'image/jpeg' }), { imageOrientation: 'from-image' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    const shades = [];
    for (let y = 4; y < bitmap.height; y += 8) {
      const row = [];
      for (let x = 4; x < bitmap.width; x += 8) {
        const [r, gr, bl] = g.getImageData(x, y, 1, 1).data;
        row.push(Math.round((r + gr + bl) / 3));
      }
      shades.push(row);
    }
    return { width: bitmap.width, height: bitmap.height, shades };
  }, bytes.toString('base64'));
}

/** The test's own files, made once per test file in a temporary folder. */
let fixtures = null;
let fixtureDir = null;

function makeFixtures() {
  fixtures ??= (async () => {
    fixtureDir = await mkdtemp(path.join(os.tmpdir(), 'hello-kmp-evidence-'));
    const base = path.join(fixtureDir, 'base.jpg');
    await writeFile(base, tinyJpeg(PHOTO_WIDTH, PHOTO_HEIGHT, (c, r) => 40 + 50 * c + 20 * r));
    const photo = path.join(fixtureDir, 'IMG_20251203_211400.jpg');
    exiftool([
      '-q', '-n', '-o', photo,
      `-Orientation=${PHOTO_ORIENTATION}`,
      ...Object.entries(PHOTO_TAGS).map(([tag, value]) => `-${tag}=${value}`),
      base,
    ]);
    // The fixture must carry what the server is to remove, or the test proves nothing.
    const tags = readTags(photo);
    assert.equal(tags.FileType, 'JPEG', `the test photo is not read as a JPEG: ${JSON.stringify(tags)}`);
    assert.equal(tags.ImageWidth, PHOTO_WIDTH);
    assert.equal(tags.ImageHeight, PHOTO_HEIGHT);
    assert.equal(tags.Orientation, PHOTO_ORIENTATION, 'the test photo has no orientation tag');
    assert.equal(tags.Make, PHOTO_TAGS.Make, 'the test photo has no Make');
    assert.equal(tags.Model, PHOTO_TAGS.Model, 'the test photo has no Model');
    assert.ok(Math.abs(tags.GPSLatitude - PHOTO_TAGS.GPSLatitude) < 1e-4, 'the test photo has no GPS latitude');
    assert.ok(Math.abs(tags.GPSLongitude - PHOTO_TAGS.GPSLongitude) < 1e-4, 'the test photo has no GPS longitude');

    // Text, only named like a photo.
    const fake = path.join(fixtureDir, 'photo.jpg');
    await writeFile(fake, 'This is not a photo, only text with a .jpg name.\n', 'utf8');
    return { dir: fixtureDir, photo, fake };
  })();
  return fixtures;
}

after(async () => {
  if (fixtureDir && !process.env.KMP_TEST_KEEP_DATA) await rm(fixtureDir, { recursive: true, force: true });
});

test('the test photo is a JPEG carrying GPS, make, model and an orientation', async () => {
  await makeFixtures();
});

// ---------------------------------------------------------------------------------------------
// The large photo: drawn by Chromium in a blank page, read back as bytes

/** The large photo's size, and the longest side the page's script shrinks photos to. */
const BIG_WIDTH = 3000;
const BIG_HEIGHT = 1200;
const LONGEST_SIDE = 2048;
/** Three upright bands, left to right, each a third of the width: dark, middle, light gray. */
const BIG_BANDS = [40, 128, 215];

/**
 * A BIG_WIDTH x BIG_HEIGHT JPEG of three gray bands, made with a canvas in a blank page of
 * `context` (exported with toBlob('image/jpeg')); answers its bytes.
 */
async function bigJpeg(context) {
  const blank = await context.newPage();
  try {
    const b64 = await blank.evaluate(async ({ width, height, bands }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      const g = canvas.getContext('2d');
      bands.forEach((level, i) => {
        g.fillStyle = `rgb(${level}, ${level}, ${level})`;
        g.fillRect(Math.round((i * width) / bands.length), 0, Math.ceil(width / bands.length), height);
      });
      const blob = await new Promise((done) => canvas.toBlob(done, 'image/jpeg', 0.92));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = '';
      for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(text);
    }, { width: BIG_WIDTH, height: BIG_HEIGHT, bands: BIG_BANDS });
    return Buffer.from(b64, 'base64');
  } finally {
    await blank.close();
  }
}

/** The size Chromium decodes a photo (bytes) to, and the gray at a few points `[x, y]`. */
async function photoSize(page, bytes, points = []) {
  return page.evaluate(async ({ b64, points }) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([data]));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    const shades = points.map(([x, y]) => {
      const [r, gr, bl] = g.getImageData(x, y, 1, 1).data;
      return Math.round((r + gr + bl) / 3);
    });
    return { width: bitmap.width, height: bitmap.height, shades };
  }, { b64: bytes.toString('base64'), points });
}

/** Close enough: the size rounded either way. */
function assertAbout(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) <= 1, `${what} is ${actual}, expected ${expected} (±1)`);
}

/**
 * An AMR voice note of exactly `size` bytes: 12.2 kbit/s frames (a header byte 0x3c and 31
 * bytes), then one-byte "no data" frames. AMR carries no metadata, so the server keeps it as sent.
 */
function amrNote(size) {
  const note = Buffer.alloc(size, 0x7c);
  note.write('#!AMR\n', 0, 'latin1');
  let at = 6;
  for (; size - at >= 32; at += 32) {
    note[at] = 0x3c;
    for (let i = 1; i < 32; i++) note[at + i] = (at * 7 + i * 13) % 251;
  }
  return note;
}

// ---------------------------------------------------------------------------------------------
// The flow

const BENGALI_SCRIPT = /[\u0980-\u09FF]/;
const LATIN_WORD = /[A-Za-z]{3,}/;

/** Opens the tip form on a phone and fills the text fields of a drugs tip for Sonadanga. */
async function fillTipForm(run, page, description) {
  const form = await page.goto(`${run.server.base}/tips/new`);
  assert.equal(form.status(), 200, `GET /tips/new answered HTTP ${form.status()}`);
  await assertBangla(page);
  await page.selectOption('#tip-form select[name=category]', 'drugs');
  await page.selectOption('#tip-form select[name=thana]', 'sonadanga');
  await page.fill('#tip-form textarea[name=description]', description);
}

onEachBackend('evidence flow', (run) => {
  const { backend } = run;
  // What the steps hand on to each other.
  const flow = {
    marker: randomToken(3),
    reference: '',
    /** The administrator's browser context, logged in, for the later steps. */
    admin: null,
    /** The reference of the tip sent with the large photo. */
    bigReference: '',
    /** The tip sent with a voice note a piece at a time, and the note's SHA-256. */
    noteReference: '',
    noteSha256: '',
  };

  run.step('citizen on a phone sends a drugs tip with a photo carrying GPS, make and model', async (local) => {
    const { photo } = await makeFixtures();
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    await fillTipForm(run, page,
      `সোনাডাঙ্গা বাসস্ট্যান্ডের পাশে ইয়াবা বিক্রির ছবি দিলাম ${flow.marker}`);

    const input = await page.$('#tip-form input#files');
    assert.ok(input, 'the tip form has no file input #files');
    const attrs = await input.evaluate((el) => ({
      type: el.type,
      name: el.name,
      multiple: el.multiple,
      accept: el.accept,
      enctype: el.form && el.form.enctype,
      // Every text field must come first: the server reads them before any photo.
      afterText: [...el.form.querySelectorAll('select, textarea, input:not([type=file]):not([type=hidden])')]
        .every((f) => f.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
    }));
    assert.equal(attrs.type, 'file');
    assert.equal(attrs.name, 'files', '#files is not named "files"');
    assert.ok(attrs.multiple, '#files does not take several files (no multiple)');
    for (const kind of ['image/jpeg', 'image/png', 'image/webp']) {
      assert.ok(attrs.accept.split(',').map((s) => s.trim()).includes(kind), `#files does not accept ${kind}: ${attrs.accept}`);
    }
    assert.equal(attrs.enctype, 'multipart/form-data', 'the tip form is not multipart');
    assert.ok(attrs.afterText, '#files is not after every text field of the form');

    await page.setInputFiles('#files', photo);
    // The page's script sends the photo under a plain name: the phone's name tells the date.
    await page.waitForFunction(() => {
      const el = document.getElementById('files');
      return el.files.length === 1 && el.files[0].name === 'file.jpg';
    });
    const chosen = await page.$eval('#files', (el) => [...el.files].map((f) => f.name));
    assert.deepEqual(chosen, ['file.jpg'], `the photo is not attached to #files under a plain name (was ${path.basename(photo)})`);
    await screenshot(page, `tip-form-photo-${backend}`);

    const sent = await clickAndWaitForPage(page, '#submit-tip');
    assert.ok(sent && sent.status() < 400, `sending the tip with a photo answered HTTP ${sent?.status()}`);
    assert.ok(await page.$('#receipt-bn'), 'the page after sending shows no receipt (#receipt-bn)');
    flow.reference = await textOf(page, '#tip-reference');
    assert.match(flow.reference, /^T-\d{4}-\d{6}$/, `#tip-reference looks wrong: ${JSON.stringify(flow.reference)}`);
  });

  run.step('administrator logs in for the first time, opens the tip and downloads the clean photo', async (local) => {
    const { dir, photo } = await makeFixtures();
    const context = await run.newContext(DESKTOP);
    const page = (local.page = await context.newPage());
    await firstLogIn(page, run.server.base, { username: run.server.username, password: run.server.password });
    flow.admin = context;

    const links = await queueLinks(page);
    const link = links.find((l) => l.text === flow.reference);
    assert.ok(link, `${flow.reference} is not in the administrator's queue; links: ${JSON.stringify(links)}`);
    const opened = await clickAndWaitForPage(page, `a.tip-link[href="${link.href}"]`);
    assert.equal(opened.status(), 200, `the tip page answered HTTP ${opened.status()}`);
    const tipPath = `/console/tips/${flow.reference}`;
    assert.equal(pathOf(page), tipPath);
    await assertBangla(page);

    const files = await page.$$('#files li.file');
    assert.equal(files.length, 1, `expected one file in #files, found ${files.length}`);
    const flag = await textOf(page, '#files li.file .flag.clean');
    assert.match(flag, BENGALI_SCRIPT, `the "metadata removed" flag (.flag.clean) is not in Bangla: ${JSON.stringify(flag)}`);
    const pageHash = await textOf(page, '#files li.file code.sha256');
    assert.match(pageHash, /^[0-9a-f]{64}$/, `code.sha256 is not a SHA-256 in hex: ${JSON.stringify(pageHash)}`);
    const href = await page.$eval('#files li.file a.file-link', (a) => a.getAttribute('href'));
    assert.match(href, new RegExp(`^${tipPath}/attachments/[^/]+$`), `a.file-link points elsewhere: ${href}`);
    assert.ok(await page.$eval('#files a.file-link', (a) => a.hasAttribute('download')),
      'a.file-link is not a download link (no download attribute)');
    // Upright: the 32 x 16 photo turned by its orientation tag is 16 wide and 32 high.
    const listed = bnToAscii(await textOf(page, '#files li.file'));
    assert.match(listed, new RegExp(`${PHOTO_HEIGHT}\\s*×\\s*${PHOTO_WIDTH}`),
      `the file is not listed as ${PHOTO_HEIGHT} × ${PHOTO_WIDTH} (upright): ${JSON.stringify(listed)}`);
    await screenshot(page, `console-tip-files-${backend}`);

    // The same flag in English.
    await clickAndWaitForPage(page, 'a.lang-switch');
    assert.equal(pathOf(page), tipPath, 'switching to English left the tip page');
    assert.equal(await textOf(page, '#files li.file .flag.clean'), 'metadata removed');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#files a.file-link'),
    ]);
    assert.equal(await download.failure(), null, 'the download failed');
    assert.equal(pathOf(page), tipPath, 'downloading the file left the tip page');
    const name = download.suggestedFilename();
    assert.match(name, new RegExp(`^${flow.reference}-\\d+\\.jpg$`), `the download is named ${JSON.stringify(name)}`);
    const saved = path.join(dir, `${backend}-${name}`);
    await download.saveAs(saved);
    const bytes = await readFile(saved);
    assert.equal(sha256(bytes), pageHash, 'the SHA-256 of the downloaded file differs from the one on the page');

    const tags = readTags(saved);
    assert.equal(tags.FileType, 'JPEG', `the download is not a JPEG: ${tags.FileType}`);
    const gps = Object.keys(tags).filter((k) => /^GPS/i.test(k));
    assert.deepEqual(gps, [], `the downloaded photo still has GPS tags: ${JSON.stringify(gps)}`);
    assert.equal(tags.Make, undefined, `the downloaded photo still names the make: ${tags.Make}`);
    assert.equal(tags.Model, undefined, `the downloaded photo still names the model: ${tags.Model}`);
    assert.ok(tags.Orientation === undefined || tags.Orientation === 1,
      `the downloaded photo still has an orientation tag (${tags.Orientation})`);
    assert.deepEqual([tags.ImageWidth, tags.ImageHeight], [PHOTO_HEIGHT, PHOTO_WIDTH],
      'the downloaded photo was not turned upright');
    // Turned the right way: with no tag left, it looks as the original looks with its tag.
    const original = await blockShades(page, await readFile(photo));
    const cleaned = await blockShades(page, bytes);
    assert.deepEqual([cleaned.width, cleaned.height], [original.width, original.height]);
    assert.equal(original.shades.flat().length, (PHOTO_WIDTH / 8) * (PHOTO_HEIGHT / 8));
    const off = cleaned.shades.flat().map((v, i) => Math.abs(v - original.shades.flat()[i]));
    assert.ok(Math.max(...off) <= 12,
      `the downloaded photo is not turned as its orientation tag says: shades ${JSON.stringify(cleaned.shades)}, ` +
      `the original as shown ${JSON.stringify(original.shades)}`);

    // What the download is served as, fetched again with the officer's session.
    const res = await context.request.get(`${run.server.base}${href}`, { maxRedirects: 0 });
    assert.equal(res.status(), 200, `GET ${href} answered HTTP ${res.status()}`);
    const headers = res.headers();
    assert.match(headers['content-disposition'] ?? '', /^attachment\b/,
      `the download is not an attachment: Content-Disposition ${JSON.stringify(headers['content-disposition'])}`);
    assert.equal(headers['content-type'], 'image/jpeg');
    assert.equal(sha256(await res.body()), pageHash, 'the file served again has another SHA-256');
    const digest = `sha-256=:${Buffer.from(pageHash, 'hex').toString('base64')}:`;
    assert.equal(headers['repr-digest'], digest, 'the Repr-Digest header does not carry the SHA-256');
  });

  run.step('without JavaScript, a text file named photo.jpg is refused (415) in Bangla and English, the description kept; the real photo then goes', async (local) => {
    const { fake, photo } = await makeFixtures();
    // A phone with scripts off sends the files with the form itself.
    const context = await run.newContext({ ...PHONE, javaScriptEnabled: false });
    const page = (local.page = await context.newPage());
    const description = `সোনাডাঙ্গায় মাদক বিক্রি, ভুল ফাইল সহ ${randomToken(3)}`;
    await fillTipForm(run, page, description);
    await page.setInputFiles('#files', fake);

    const refused = await clickAndWaitForPage(page, '#submit-tip');
    assert.equal(refused.status(), 415, `a text file named photo.jpg answered HTTP ${refused.status()}, not 415`);
    assert.equal(pathOf(page), '/tips', `the refusal is at ${page.url()}`);
    assert.equal(await page.$('#receipt-bn'), null, 'the tip with a text file was accepted (a receipt is shown)');
    const errors = await textsOf(page, '.error');
    assert.equal(errors.length, 1, `expected one .error on the page, found ${JSON.stringify(errors)}`);
    assert.match(errors[0], BENGALI_SCRIPT, `the error is not in Bangla: ${JSON.stringify(errors[0])}`);
    assert.match(errors[0], /JPEG/, `the error does not name the kinds taken: ${JSON.stringify(errors[0])}`);
    const english = await textOf(page, '.error [lang=en]');
    assert.match(english, LATIN_WORD, `the error is not in English too: ${JSON.stringify(errors[0])}`);
    assert.doesNotMatch(english, BENGALI_SCRIPT, `the English error is not English: ${JSON.stringify(english)}`);
    const kept = await page.$eval('#tip-form textarea[name=description]', (t) => t.value);
    assert.equal(kept, description, 'the refused form lost the description');
    const category = await page.$eval('#tip-form select[name=category]', (s) => s.value);
    assert.equal(category, 'drugs', 'the refused form lost the category');
    await screenshot(page, `tip-file-refused-${backend}`);

    // The citizen chooses the real photo instead and sends the same form again.
    await page.setInputFiles('#files', photo);
    const sent = await clickAndWaitForPage(page, '#submit-tip');
    assert.ok(sent && sent.status() < 400, `sending again with the photo answered HTTP ${sent?.status()}`);
    assert.ok(await page.$('#receipt-bn'), 'sending again with the photo shows no receipt (#receipt-bn)');
  }, { independent: true });

  run.step('with JavaScript, the text file is refused as it is sent, in Bangla, and the page keeps the tip; the real photo then goes', async (local) => {
    const { fake, photo } = await makeFixtures();
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    const description = `সোনাডাঙ্গায় মাদক বিক্রি, ভুল ফাইল, স্ক্রিপ্ট সহ ${randomToken(3)}`;
    await fillTipForm(run, page, description);
    await page.setInputFiles('#files', fake);
    await page.click('#submit-tip');

    await page.waitForSelector('#upload-list li.failed');
    const failed = await textOf(page, '#upload-list li.failed');
    assert.match(failed, BENGALI_SCRIPT, `the refusal in the list is not in Bangla: ${JSON.stringify(failed)}`);
    assert.match(failed, /JPEG/, `the refusal does not name the kinds taken: ${JSON.stringify(failed)}`);
    assert.match(await textOf(page, '#files-status'), BENGALI_SCRIPT, '#files-status does not say what to do next');
    assert.equal(pathOf(page), '/tips/new', 'the page left the form');
    assert.equal(await page.$eval('#tip-form textarea[name=description]', (t) => t.value), description,
      'the description was lost');
    assert.equal(await page.$eval('#submit-tip', (b) => b.disabled), false, 'the submit button stayed disabled');
    await screenshot(page, `tip-file-refused-script-${backend}`);

    await page.setInputFiles('#files', photo);
    const sent = await clickAndWaitForPage(page, '#submit-tip');
    assert.ok(sent && sent.status() < 400, `sending again with the photo answered HTTP ${sent?.status()}`);
    assert.ok(await page.$('#receipt-bn'), 'sending again with the photo shows no receipt (#receipt-bn)');
  }, { independent: true });

  run.step('a 2.5 MB voice note goes a piece at a time with a progress bar, and carries on after a dropped connection', async (local) => {
    const context = await run.newContext(PHONE);
    const page = (local.page = await context.newPage());
    await fillTipForm(run, page, `খালিশপুরে রাতে মাদক লেনদেনের কথা, ভয়েস নোটে ${randomToken(3)}`);
    const note = amrNote(2_600_000);
    flow.noteSha256 = sha256(note);

    // The second piece reaches the server but its answer is lost, as when a phone loses signal.
    const pieces = [];
    let dropped = false;
    await page.route('**/api/v1/uploads/*', async (route) => {
      const request = route.request();
      if (request.method() !== 'PATCH') return route.continue();
      pieces.push(Number(request.headers()['upload-offset']));
      if (pieces.length === 2 && !dropped) {
        dropped = true;
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    // Every value the progress bar shows and each text of the file's line, handed to the test
    // as they change (the page is gone once the form is sent).
    const progress = [];
    const lines = [];
    await page.exposeFunction('recordUpload', (value, max, line) => {
      progress.push([value, max]);
      if (lines.at(-1) !== line) lines.push(line);
    });
    await page.evaluate(() => {
      new MutationObserver(() => {
        const bar = document.querySelector('#upload-list progress');
        const line = document.querySelector('#upload-list li span');
        if (bar) window.recordUpload(Number(bar.value), Number(bar.max), line ? line.textContent : '');
      }).observe(document.getElementById('upload-list'),
        { attributes: true, childList: true, characterData: true, subtree: true });
    });
    const texts = await page.$eval('#files', (el) => ({ ...el.dataset }));
    await page.setInputFiles('#files', { name: 'Voice 014.amr', mimeType: 'audio/amr', buffer: note });
    const sent = await clickAndWaitForPage(page, '#submit-tip');
    assert.ok(sent && sent.status() < 400, `sending the tip with the voice note answered HTTP ${sent?.status()}`);
    assert.ok(await page.$('#receipt-bn'), 'the page after sending shows no receipt (#receipt-bn)');
    flow.noteReference = await textOf(page, '#tip-reference');

    const MiB = 1024 * 1024;
    assert.ok(dropped, 'no connection was dropped: the test proves nothing');
    // At 0 and 1 MiB; the answer to the second is lost; the page asks where the server got to
    // and carries on from 2 MiB rather than sending the second piece again.
    assert.deepEqual(pieces, [0, MiB, 2 * MiB], `pieces sent at ${JSON.stringify(pieces)}`);
    assert.ok(progress.length > 0, 'the progress bar never changed');
    assert.ok(progress.every(([, max]) => max === note.length), `the bar's maximum is not the file's size: ${JSON.stringify(progress.slice(0, 3))}`);
    assert.ok(progress.some(([value]) => value > 0 && value < note.length),
      `the bar never showed part of the file sent: ${JSON.stringify(progress)}`);
    assert.ok(progress.some(([value]) => value === note.length), 'the bar never reached the end');
    const said = lines.map((l) => l.replace(/^\d+\.\s*/, ''));
    for (const [what, text] of [['sending', texts.sending], ['retrying', texts.retrying], ['sent', texts.sent]]) {
      assert.match(text ?? '', BENGALI_SCRIPT, `data-${what} is not in Bangla`);
      assert.ok(said.includes(text), `the file's line never said ${what} (${JSON.stringify(text)}): ${JSON.stringify(said)}`);
    }
  });

  run.step('administrator downloads the voice note: the same bytes as sent, by its SHA-256', async (local) => {
    assert.ok(flow.admin, 'the administrator is not logged in (an earlier step failed)');
    const page = (local.page = await flow.admin.newPage());
    const tipPath = `/console/tips/${flow.noteReference}`;
    const opened = await page.goto(`${run.server.base}${tipPath}`);
    assert.equal(opened.status(), 200, `${tipPath} answered HTTP ${opened.status()}`);
    const pageHash = await textOf(page, '#files li.file code.sha256');
    assert.equal(pageHash, flow.noteSha256, 'the SHA-256 on the page is not that of the file sent');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#files a.file-link'),
    ]);
    assert.match(download.suggestedFilename(), new RegExp(`^${flow.noteReference}-1\\.amr$`));
    const { dir } = await makeFixtures();
    const saved = path.join(dir, `${backend}-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    assert.equal(sha256(await readFile(saved)), flow.noteSha256, 'the downloaded voice note differs from the one sent');
  });

  run.step('citizen on a phone attaches a large photo: the page shrinks it to 2048 px before sending, the button disabled meanwhile', async (local) => {
    const context = await run.newContext(PHONE);
    const big = await bigJpeg(context);
    const page = (local.page = await context.newPage());
    await fillTipForm(run, page, `সোনাডাঙ্গায় মাদক বিক্রির বড় ছবি ${randomToken(3)}`);
    // The test's photo is what it is meant to be, or the test proves nothing.
    const original = await photoSize(page, big);
    assert.deepEqual([original.width, original.height], [BIG_WIDTH, BIG_HEIGHT], 'the large test photo has another size');

    const texts = await page.$eval('#files', (el) => ({ busy: el.dataset.busy, done: el.dataset.done }));
    assert.match(texts.busy ?? '', BENGALI_SCRIPT, `#files has no Bangla data-busy text: ${JSON.stringify(texts.busy)}`);
    assert.match(texts.done ?? '', BENGALI_SCRIPT, `#files has no Bangla data-done text: ${JSON.stringify(texts.done)}`);
    assert.ok(await page.$('#files-status'), 'the tip form has no #files-status');
    assert.equal(await textOf(page, '#files-status'), '', '#files-status says something before a photo is chosen');

    // Each change of #files-status, with whether the submit button was disabled right then (the
    // observer runs at the end of the script's task that changed the text).
    await page.evaluate(() => {
      const status = document.getElementById('files-status');
      const button = document.getElementById('submit-tip');
      window.__filesStatusLog = [];
      new MutationObserver(() => {
        window.__filesStatusLog.push({ text: status.textContent, disabled: button.disabled });
      }).observe(status, { childList: true, characterData: true, subtree: true });
    });

    await page.setInputFiles('#files', { name: 'IMG_20251203_221500.jpg', mimeType: 'image/jpeg', buffer: big });
    await page.waitForFunction(
      (done) => document.getElementById('files-status').textContent === done, texts.done);
    const log = await page.evaluate(() => window.__filesStatusLog);
    assert.deepEqual(log, [{ text: texts.busy, disabled: true }, { text: texts.done, disabled: false }],
      'while the photo was shrunk #files-status did not say busy with the submit button disabled, ' +
      'then done with it enabled');
    assert.equal(await page.$eval('#submit-tip', (b) => b.disabled), false, 'the submit button stayed disabled');

    const chosen = await page.$eval('#files', async (el) => Promise.all([...el.files].map(async (f) => {
      const bitmap = await createImageBitmap(f);
      return { name: f.name, type: f.type, size: f.size, width: bitmap.width, height: bitmap.height };
    })));
    assert.equal(chosen.length, 1, `#files holds ${chosen.length} files after shrinking: ${JSON.stringify(chosen)}`);
    const [shrunk] = chosen;
    assert.equal(shrunk.type, 'image/jpeg', `the shrunk photo is ${JSON.stringify(shrunk.type)}`);
    assert.equal(shrunk.width, LONGEST_SIDE, `the shrunk photo is ${shrunk.width} wide: ${JSON.stringify(shrunk)}`);
    assertAbout(shrunk.height, Math.round((BIG_HEIGHT * LONGEST_SIDE) / BIG_WIDTH), 'the shrunk photo\'s height');
    await screenshot(page, `tip-form-photo-shrunk-${backend}`);

    const sent = await clickAndWaitForPage(page, '#submit-tip');
    assert.ok(sent && sent.status() < 400, `sending the tip with the large photo answered HTTP ${sent?.status()}`);
    assert.ok(await page.$('#receipt-bn'), 'the page after sending shows no receipt (#receipt-bn)');
    flow.bigReference = await textOf(page, '#tip-reference');
    assert.match(flow.bigReference, /^T-\d{4}-\d{6}$/, `#tip-reference looks wrong: ${JSON.stringify(flow.bigReference)}`);
  });

  run.step('administrator opens the tip with the large photo: its file is 2048 px at most, the whole picture scaled', async (local) => {
    assert.ok(flow.admin, 'the administrator is not logged in (an earlier step failed)');
    const page = (local.page = await flow.admin.newPage());
    const tipPath = `/console/tips/${flow.bigReference}`;
    const opened = await page.goto(`${run.server.base}${tipPath}`);
    assert.equal(opened.status(), 200, `${tipPath} answered HTTP ${opened.status()}`);

    const files = await textsOf(page, '#files li.file');
    assert.equal(files.length, 1, `expected one file in #files, found ${JSON.stringify(files)}`);
    const listed = bnToAscii(files[0]);
    const dims = listed.match(/(\d+)\s*×\s*(\d+)/);
    assert.ok(dims, `the file is listed without its size "W × H": ${JSON.stringify(listed)}`);
    const [width, height] = [Number(dims[1]), Number(dims[2])];
    assert.ok(Math.max(width, height) <= LONGEST_SIDE,
      `the file is listed as ${width} × ${height}, longer than ${LONGEST_SIDE} px: ${JSON.stringify(listed)}`);
    assert.ok(width > height, `the file is listed as ${width} × ${height}, not wide as the photo: ${JSON.stringify(listed)}`);
    await screenshot(page, `console-tip-files-shrunk-${backend}`);

    // The file itself, fetched with the administrator's session and decoded by Chromium: the size
    // listed, and the three bands where they belong (scaled, not cut).
    const href = await page.$eval('#files li.file a.file-link', (a) => a.getAttribute('href'));
    const res = await flow.admin.request.get(`${run.server.base}${href}`, { maxRedirects: 0 });
    assert.equal(res.status(), 200, `GET ${href} answered HTTP ${res.status()}`);
    const mid = Math.floor(height / 2);
    const points = [1, 3, 5].map((sixth) => [Math.floor((sixth * width) / 6), mid]);
    const served = await photoSize(page, await res.body(), points);
    assert.deepEqual([served.width, served.height], [width, height],
      `the file served is ${served.width} × ${served.height}, listed as ${width} × ${height}`);
    const off = served.shades.map((v, i) => Math.abs(v - BIG_BANDS[i]));
    assert.ok(Math.max(...off) <= 12,
      `the file served does not show the three bands ${JSON.stringify(BIG_BANDS)} across: ${JSON.stringify(served.shades)}`);
  });
});
