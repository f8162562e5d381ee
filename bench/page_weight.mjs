// Measures the home page's weight on a first visit (tests/browser/page_weight.mjs) against the
// server at the URL given, and prints the "Home page weight" section of bench/RESULTS.md.
//
//   node bench/page_weight.mjs http://127.0.0.1:8080 "COMMAND LINE" "CHROMIUM VERSION"
//
// bench/page_weight.sh starts the server and puts the section into RESULTS.md.

import { HOME_BUDGET_BYTES, freshChromium, measureHome } from '../tests/browser/page_weight.mjs';

const [base, command = 'bench/page_weight.sh', chromiumVersion = 'Chromium'] = process.argv.slice(2);
if (!base) {
  console.error('usage: node bench/page_weight.mjs SERVER_URL [COMMAND] [CHROMIUM_VERSION]');
  process.exit(2);
}

const group = (n) => n.toLocaleString('en-US');
const kb = (n) => (n / 1024).toFixed(1);

const browser = await freshChromium();
let weight;
try {
  weight = await measureHome(browser.context, base);
} finally {
  await browser.close();
}

const met = (bytes) => (bytes <= HOME_BUDGET_BYTES ? 'yes' : '**no**');
const rows = weight.resources.map((r) =>
  `| \`${r.path}\` | ${r.type} | ${r.status} | ${r.encoding || 'none'} | ${group(r.bytes)} |`);
const when = new Date().toISOString().replace('T', ' ').slice(0, 16);

console.log(`<!-- page-weight:start -->
## Home page weight

Written by \`bench/page_weight.sh\`; \`bench/run.sh\` keeps this section as it is. The home page
(\`/\`, in Bangla, the default) opened in headless Chromium with a fresh profile on a 360 × 640
screen, from a ${process.env.PROFILE === "debug" ? "debug" : "release"} build (the bytes are the same) of \`hello-kmp serve\` on SQLite, over loopback. Each response is
counted as it arrived, compressed and with its headers (the DevTools protocol's
\`encodedDataLength\`); one taken from the browser's own cache costs nothing and is left out.
Browser: ${chromiumVersion}.

| response | type | status | encoding | bytes |
| --- | --- | ---: | --- | ---: |
${rows.join('\n')}
| **everything the page loaded** | | | | **${group(weight.pageBytes)}** |

- The page, with its stylesheet, script, icon and manifest: ${group(weight.pageBytes)} bytes
  (${kb(weight.pageBytes)} KB); budget ≤ 50 KB (${group(HOME_BUDGET_BYTES)} bytes): ${met(weight.pageBytes)}.
- Everything the server sent during the first visit, counted at a TCP relay in front of it: the
  above, and the service worker's own downloads (its script, and the pages and small icon it
  keeps for use offline; the stylesheet and script it keeps come from the browser's cache):
  ${group(weight.wireBytes)} bytes (${kb(weight.wireBytes)} KB); within 50 KB: ${met(weight.wireBytes)}.

Run on ${when} UTC:

\`\`\`
${command}
\`\`\`
<!-- page-weight:end -->`);
