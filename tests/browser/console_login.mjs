// Console log-in for the browser tests: the authenticator (TOTP, RFC 6238 over HOTP, RFC 4226,
// with HMAC-SHA1, 6 digits, 30-second steps), an officer's first log-in (own password, enrolment,
// recovery codes) and later log-ins with a code.
//
// An officer here is an object { username, password, key, lastStep }: `password` is the one to
// log in with (the one-time one until the first log-in replaces it), `key` the base32 TOTP key
// once enrolled, `lastStep` the last TOTP step the server accepted (it refuses that step again).

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';

import {
  assertBangla, clickAndWaitForPage, pathOf, randomToken, screenshot, sleep, textOf, textsOf,
} from './support.mjs';

// ---------------------------------------------------------------------------------------------
// TOTP

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const STEP_SECONDS = 30;
const DIGITS = 6;

/** The bytes a base32 key (RFC 4648, padding and spaces allowed) stands for. */
export function base32Decode(text) {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const c of clean) {
    const value = BASE32_ALPHABET.indexOf(c);
    if (value < 0) throw new Error(`not a base32 character: ${JSON.stringify(c)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
      buffer &= (1 << bits) - 1;
    }
  }
  return Buffer.from(bytes);
}

/** The HOTP value of `key` (bytes) at `counter`, as a zero-padded string of DIGITS digits. */
export function hotp(key, counter) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  // Dynamic truncation: the low nibble of the last byte picks four bytes, top bit cleared.
  const offset = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** The TOTP step a moment falls in. */
export function totpStep(atMs = Date.now()) {
  return Math.floor(atMs / 1000 / STEP_SECONDS);
}

/** The authenticator's code for a base32 key at a step. */
export function totpCode(base32Key, step) {
  return hotp(base32Decode(base32Key), step);
}

/**
 * A code the server has not seen yet: the current step's, or the next step's when the current one
 * is spent (one step of drift is accepted). Waits when even that one is spent.
 */
async function unusedCode(officer) {
  for (;;) {
    const now = totpStep();
    const step = Math.max(now, officer.lastStep + 1);
    if (step <= now + 1) return { step, code: totpCode(officer.key, step) };
    await sleep((now + 1) * STEP_SECONDS * 1000 - Date.now() + 50);
  }
}

// ---------------------------------------------------------------------------------------------
// Log-in pages

/** A password the server takes: long, not common, without the username. */
function strongPassword() {
  return `lantern-${randomToken(6)}-quietly`;
}

/** Fills the log-in form with the officer's password; answers the page it led to. */
async function givePassword(page, base, officer) {
  const login = await page.goto(`${base}/console/login`);
  assert.equal(login.status(), 200, `GET /console/login answered HTTP ${login.status()}`);
  await assertBangla(page);
  await page.fill('#username', officer.username);
  await page.fill('#password', officer.password);
  return clickAndWaitForPage(page, '#login');
}

function assertAt(page, expected, what) {
  assert.equal(pathOf(page), expected, `${what}: the browser is at ${page.url()}, not ${expected}`);
}

/**
 * An officer's first log-in, with the one-time password: chooses a new password, enrols the
 * authenticator from the key on the page, reads the recovery codes and goes on to the console.
 * Sets `officer.password`, `officer.key` and `officer.lastStep`; answers the recovery codes and
 * the code used to enrol. `enrolScreenshot` names a screenshot of the enrolment page; `landing` is
 * where the console sends the officer's role (`/console`, the queue, unless said otherwise).
 */
export async function firstLogIn(page, base, officer, { enrolScreenshot, landing = '/console' } = {}) {
  await givePassword(page, base, officer);
  assertAt(page, '/console/login/password', 'after the one-time password');
  await assertBangla(page);

  const password = strongPassword();
  await page.fill('#new_password', password);
  await page.fill('#confirm_password', password);
  await clickAndWaitForPage(page, '#save-password');
  assertAt(page, '/console/login/enrol', 'after choosing a new password');
  officer.password = password;
  await assertBangla(page);

  assert.ok(await page.$('.qr svg'), 'the enrolment page shows no QR code as inline SVG (.qr svg)');
  const key = await page.$eval('#totp-key', (el) => el.dataset.key).catch(() => null);
  assert.match(key ?? '', /^[A-Z2-7]{16,}=*$/, `#totp-key data-key is not a base32 key: ${JSON.stringify(key)}`);
  const shown = (await textOf(page, '#totp-key')).replace(/\s+/g, '');
  assert.equal(shown, key, 'the key written on the enrolment page differs from its data-key');
  if (enrolScreenshot) await screenshot(page, enrolScreenshot);

  const step = totpStep();
  const code = totpCode(key, step);
  await page.fill('#code', code);
  const enrolled = await clickAndWaitForPage(page, '#confirm-enrol');
  assert.equal(enrolled.status(), 200, `confirming enrolment answered HTTP ${enrolled.status()}`);
  officer.key = key;
  officer.lastStep = step;

  const recoveryCodes = await textsOf(page, '#recovery-codes code');
  assert.equal(recoveryCodes.length, 10,
    `expected 10 recovery codes (#recovery-codes code), found ${JSON.stringify(recoveryCodes)}`);
  assert.equal(new Set(recoveryCodes).size, 10, `the recovery codes repeat: ${JSON.stringify(recoveryCodes)}`);
  for (const c of recoveryCodes) {
    assert.match(c, /^[a-z0-9]{5}-[a-z0-9]{5}$/, `a recovery code looks wrong: ${JSON.stringify(c)}`);
  }
  await assertBangla(page);

  await clickAndWaitForPage(page, '#recovery-saved');
  assertAt(page, landing, 'after #recovery-saved');
  return { recoveryCodes, enrolCode: code };
}

/** Gives the password of an enrolled officer; answers at the code page. */
export async function startLogIn(page, base, officer) {
  await givePassword(page, base, officer);
  assertAt(page, '/console/login/code', 'after the password');
  await assertBangla(page);
}

/** Types a code on the code page and sends it; answers the response. */
export async function sendCode(page, code) {
  await page.fill('#code', code);
  return clickAndWaitForPage(page, '#send-code');
}

/** From the code page to the console, with a code the server has not seen yet. */
export async function finishLogIn(page, officer) {
  const { step, code } = await unusedCode(officer);
  const sent = await sendCode(page, code);
  assertAt(page, '/console', `after sending the code of step ${step} (HTTP ${sent?.status()})`);
  officer.lastStep = step;
}

/** A later log-in: password, then a fresh code. */
export async function logIn(page, base, officer) {
  await startLogIn(page, base, officer);
  await finishLogIn(page, officer);
}
