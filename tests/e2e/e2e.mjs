#!/usr/bin/env node
// End-to-end test of the pages behind email links, in a real browser (issue #4, item 5).
//
//   SD_SIGNUPDESK_BIN=build/app/signupdesk node tests/e2e/e2e.mjs
//
// Starts a real SMTP sink (tests/support/smtp_sink.py), a real `signupdesk --headless` on
// loopback with SQLite, and Debian's Chromium (/usr/bin/chromium) driven by playwright-core.
// What it checks:
//   1. verification: the emailed link opens a page with a button; opening it verifies nothing
//      (link scanners), clicking "Confirm my email" does; then the JSON login works.
//   2. email-link login: email, editable name, ToS checkbox; without ToS an error and no
//      cookie; with ToS a 303 to next_page and an HttpOnly session cookie.
//   3. open redirect: next_page pointing off-site always ends on / of our server.
//   4. no script runs: a display name full of markup is shown escaped, no dialog opens.
//   5. /login: the password form reaches /account; "email me a link" mails a link that does.
//   6. /forgot-password mails a reset link; /reset-password sets the new password, once.
//   7. /account: change password, change email (confirmed on /confirm-email-change), end
//      another session, delete the account (signed out, a goodbye email).
//   8. /accept-invite: an invitation made with `signupdesk admin invite` makes an active,
//      verified account.
//   9. second factor (issue 14): with TOTP on, /login asks for the code before any session
//      cookie; the right code (computed here per RFC 6238) ends on /account with the cookie;
//      /account turns it on (QR code, key, first code, 10 recovery codes shown once); the
//      email-link login asks for the code too, and a recovery code works once.
//
// Environment: SD_SIGNUPDESK_BIN (required), SD_SOURCE_DIR (default: two folders up),
// SD_CHROMIUM (default /usr/bin/chromium), SD_SCREENSHOT_DIR (default: the temp folder),
// SD_E2E_KEEP=1 keeps the temp folder. Exit 0 on success, 1 with the failing step otherwise.
// The server, the sink and the browser are always stopped.

import { execFile, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { existsSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = process.env.SD_SOURCE_DIR || path.resolve(here, '..', '..');
const serverBin = process.env.SD_SIGNUPDESK_BIN;
const chromiumPath = process.env.SD_CHROMIUM || '/usr/bin/chromium';
const sinkScript = path.join(sourceDir, 'tests', 'support', 'smtp_sink.py');
const TOTAL_BUDGET_MS = 120_000;
const PASSWORD = 'Quiet-Lantern-Orbit-731';
const TOS_VERSION = '2026-11';

const started = Date.now();
let currentStep = 'setup';
let stepCount = 0;

function log(message) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
    console.log(`[e2e ${seconds}s] ${message}`);
}

class StepFailure extends Error {}

function check(condition, message) {
    if (!condition)
        throw new StepFailure(message);
}

async function step(name, fn) {
    currentStep = name;
    const t0 = Date.now();
    log(`-> ${name}`);
    const result = await fn();
    stepCount += 1;
    log(`ok ${name} (${Date.now() - t0} ms)`);
    return result;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what, fn, timeoutMs = 15_000, intervalMs = 100) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await fn();
        if (value)
            return value;
        if (Date.now() > deadline)
            throw new StepFailure(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(intervalMs);
    }
}

// ---------------------------------------------------------------------------------------------
// Processes: the SMTP sink and the server. Both are killed on every way out.

const children = [];
let tempDir = null; // removed on the way out unless SD_E2E_KEEP is set

function startProcess(name, command, args, options, logFile) {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    child.label = name;
    child.output = '';
    const collect = (chunk) => {
        child.output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    child.on('error', (err) => {
        child.output += `\n[spawn error] ${err.message}\n`;
    });
    child.logFile = logFile;
    children.push(child);
    return child;
}

async function waitForOutput(child, regex, what, timeoutMs = 15_000) {
    let exitInfo = null;
    child.exited.then((info) => {
        exitInfo = info;
    });
    return waitFor(what, () => {
        const match = child.output.match(regex);
        if (match)
            return match;
        if (exitInfo)
            throw new StepFailure(`${child.label} exited (code ${exitInfo.code}, signal ${exitInfo.signal}) ` +
                                  `before ${what}; its output:\n${child.output}`);
        return null;
    }, timeoutMs, 50);
}

async function stopProcess(child) {
    if (child.exitCode !== null || child.signalCode !== null)
        return;
    child.kill('SIGTERM');
    const stopped = await Promise.race([child.exited.then(() => true), sleep(3000).then(() => false)]);
    if (!stopped) {
        log(`${child.label} ignored SIGTERM for 3 s: SIGKILL`);
        child.kill('SIGKILL');
        await Promise.race([child.exited, sleep(2000)]);
    }
}

// Last resort if node itself is going down without our finally (an uncaught signal, say).
process.on('exit', () => {
    for (const child of children)
        if (child.exitCode === null && child.signalCode === null)
            try { child.kill('SIGKILL'); } catch { /* already gone */ }
    if (tempDir && !process.env.SD_E2E_KEEP)
        try { rmSync(tempDir, { recursive: true, force: true }); } catch { /* best effort */ }
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'])
    process.on(signal, () => {
        console.error(`[e2e] FAIL: interrupted by ${signal} during step "${currentStep}"`);
        process.exit(1);
    });

// ---------------------------------------------------------------------------------------------
// Mail: the sink saves each message as msg-<n>.eml and logs its envelope in envelope.json.

function unfoldHeaders(block) {
    const headers = {};
    for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0)
            headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return headers;
}

function decodeQuotedPrintable(text) {
    const bytes = [];
    const soft = text.replace(/=\r?\n/g, '');
    for (let i = 0; i < soft.length; i++) {
        const c = soft[i];
        if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
            bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
            i += 2;
        } else {
            bytes.push(...Buffer.from(c, 'utf8'));
        }
    }
    return Buffer.from(bytes).toString('utf8');
}

function decodeBody(headers, body) {
    const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
    if (encoding === 'quoted-printable')
        return decodeQuotedPrintable(body);
    if (encoding === 'base64')
        return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    return body;
}

// Every leaf part of a MIME entity as {type, headers, text}.
function mimeParts(raw) {
    const split = raw.search(/\r?\n\r?\n/);
    const headerBlock = split < 0 ? raw : raw.slice(0, split);
    const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
    const headers = unfoldHeaders(headerBlock);
    const contentType = headers['content-type'] || 'text/plain';
    const type = contentType.split(';')[0].trim().toLowerCase();
    if (type.startsWith('multipart/')) {
        const boundary = (contentType.match(/boundary="?([^";]+)"?/i) || [])[1];
        check(boundary, `multipart message without a boundary: ${contentType}`);
        const pieces = body.split(`--${boundary}`);
        const parts = [];
        for (const piece of pieces.slice(1)) {
            if (piece.startsWith('--'))
                break; // closing delimiter
            parts.push(...mimeParts(piece.replace(/^\r?\n/, '')));
        }
        return parts;
    }
    return [{ type, headers, text: decodeBody(headers, body) }];
}

const consumedMail = new Set();

// The next unread message to `address` whose text part holds a link to `linkPath`.
async function readMailLink(mailDir, address, linkPath, base) {
    const found = await waitFor(`an email to ${address} with a ${linkPath} link`, async () => {
        let log;
        try {
            log = await fs.readFile(path.join(mailDir, 'envelope.json'), 'utf8');
        } catch {
            return null;
        }
        for (const line of log.split('\n').filter(Boolean)) {
            const entry = JSON.parse(line);
            if (!entry.file || consumedMail.has(entry.file))
                continue;
            if (!entry.rcpt_tos.map((r) => r.toLowerCase()).includes(address.toLowerCase()))
                continue;
            const raw = await fs.readFile(path.join(mailDir, entry.file), 'utf8');
            const parts = mimeParts(raw);
            const textPart = parts.find((p) => p.type === 'text/plain');
            check(textPart, `${entry.file} has no text/plain part`);
            const links = textPart.text.match(/https?:\/\/[^\s<>"]+/g) || [];
            const link = links.find((l) => new URL(l).pathname === linkPath);
            if (!link)
                continue;
            consumedMail.add(entry.file);
            return { file: entry.file, link, text: textPart.text, parts };
        }
        return null;
    }, 15_000, 150);
    check(new URL(found.link).origin === base,
          `the link in ${found.file} does not start with the server's public URL ${base}: ${found.link}`);
    check(found.parts.some((p) => p.type === 'text/html'), `${found.file} has no text/html part`);
    log(`   mail ${found.file} to ${address}: ${found.link.replace(/token=[^&]+/, 'token=…')}`);
    return found;
}

// ---------------------------------------------------------------------------------------------
// The JSON API.

async function api(base, method, urlPath, body) {
    const response = await fetch(base + urlPath, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let json = null;
    try {
        json = text ? JSON.parse(text) : null;
    } catch {
        json = null;
    }
    return { status: response.status, json, text };
}

async function signup(base, user) {
    const r = await api(base, 'POST', '/api/v1/signup', user);
    check(r.status === 201, `POST /api/v1/signup for ${user.username}: expected 201, got ${r.status} ${r.text}`);
    return r.json;
}

async function jsonLogin(base, username) {
    return api(base, 'POST', '/api/v1/login', { username, password: PASSWORD });
}

async function requestLoginLink(base, email, nextPage) {
    const body = nextPage === undefined ? { email } : { email, next_page: nextPage };
    const r = await api(base, 'POST', '/api/v1/login/email-link', body);
    check(r.status === 202, `POST /api/v1/login/email-link: expected 202, got ${r.status} ${r.text}`);
}

// RFC 6238 (SHA-1, 6 digits, 30 s) for a base32 secret at `step`, as an authenticator app does.
function totpCode(base32, step) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = '';
    for (const c of base32.replace(/=+$/, '').toUpperCase())
        bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
    const key = Buffer.from((bits.match(/.{8}/g) || []).map((b) => parseInt(b, 2)));
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', key).update(counter).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
    return String(value).padStart(6, '0');
}
const totpStep = () => Math.floor(Date.now() / 1000 / 30);

// ---------------------------------------------------------------------------------------------

async function loadPlaywright() {
    if (!existsSync(path.join(here, 'node_modules', 'playwright-core'))) {
        throw new StepFailure(
            `playwright-core is not installed in ${path.join(here, 'node_modules')}: ` +
            `run \`npm ci --no-audit --no-fund\` in ${here} (scripts/test.sh does it)`);
    }
    return import('playwright-core');
}

async function main() {
    let tmp = null;
    let context = null;
    let sink = null;
    let server = null;
    let failed = false;
    const budget = setTimeout(() => {
        console.error(`[e2e] FAIL: over the ${TOTAL_BUDGET_MS / 1000} s budget during step "${currentStep}"`);
        process.exit(1);
    }, TOTAL_BUDGET_MS);
    try {
        const { chromium } = await step('preconditions: playwright-core, chromium, signupdesk', async () => {
            check(serverBin, 'SD_SIGNUPDESK_BIN is not set (path of the signupdesk executable)');
            check(existsSync(serverBin), `SD_SIGNUPDESK_BIN=${serverBin} does not exist`);
            check(existsSync(chromiumPath),
                  `${chromiumPath} is missing: install Debian's chromium (scripts/install-deps.sh does)`);
            check(existsSync(sinkScript), `${sinkScript} is missing (SD_SOURCE_DIR=${sourceDir})`);
            return loadPlaywright();
        });

        tmp = tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sd-e2e-'));
        const mailDir = path.join(tmp, 'mail');
        const screenshotDir = process.env.SD_SCREENSHOT_DIR || path.join(tmp, 'screenshots');
        await fs.mkdir(mailDir, { recursive: true });
        await fs.mkdir(screenshotDir, { recursive: true });
        log(`temp folder ${tmp}`);

        const smtpPort = await step('start the SMTP sink', async () => {
            // --watch-stdin: the sink stops by itself when this process dies and its stdin closes.
            sink = startProcess('smtp sink', '/usr/bin/python3', [sinkScript, '--port', '0', '--dir', mailDir,
                                                                 '--watch-stdin'], {});
            const match = await waitForOutput(sink, /SMTP_PORT=(\d+)/, 'SMTP_PORT=<n>');
            return Number(match[1]);
        });

        const configFile = path.join(tmp, 'signupdesk.ini');
        const env = {};
        const base = await step('start signupdesk --headless', async () => {
            // A port known before the start: `signupdesk admin invite` (another process) builds
            // its link from server/public_url, so the file must name the server's address.
            const port = await new Promise((resolve, reject) => {
                const probe = net.createServer();
                probe.on('error', reject);
                probe.listen(0, '127.0.0.1', () => {
                    const { port: free } = probe.address();
                    probe.close(() => resolve(free));
                });
            });
            await fs.writeFile(configFile, [
                '[server]', 'listen=127.0.0.1', `port=${port}`, `public_url=http://127.0.0.1:${port}`, '',
                '[database]', `url=sqlite:${path.join(tmp, 'db.sqlite')}`, '',
                '[mail]', 'transport=smtp', `smtp_url=smtp://127.0.0.1:${smtpPort}`, '',
                '[password]', 'memory_kib=64', 'iterations=1', '',
                '[signup]', 'approval_required=false', '',
                '[tos]', `version=${TOS_VERSION}`, '',
                '[redirect]', 'allowed_hosts=app.example.com', '',
                '[ratelimit]', 'enabled=false', '',
            ].join('\n'));
            for (const [key, value] of Object.entries(process.env))
                if (!key.startsWith('SIGNUPDESK_'))
                    env[key] = value;
            Object.assign(env, { QT_QPA_PLATFORM: 'offscreen', HOME: tmp, XDG_DATA_HOME: path.join(tmp, 'data'),
                                 XDG_CONFIG_HOME: path.join(tmp, 'config') });
            server = startProcess('signupdesk', serverBin, ['--headless', '--config', configFile], { env, cwd: tmp });
            const match = await waitForOutput(server, /listening on (https?:\/\/[^\s]+)/, '"listening on" line');
            return match[1].replace(/\/$/, '');
        });
        log(`server at ${base}`);

        const browserDialogs = [];
        const offSiteRequests = [];
        context = await step('launch headless chromium (fresh user-data dir)', async () => {
            const ctx = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
                executablePath: chromiumPath,
                headless: true,
                args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                       '--disable-background-networking', '--disable-component-update', '--disable-sync'],
                viewport: { width: 900, height: 640 },
                locale: 'en-US',
                timeout: 20_000,
            });
            ctx.setDefaultTimeout(10_000);
            ctx.setDefaultNavigationTimeout(10_000);
            // Nothing may leave the server's origin: record and refuse everything else.
            await ctx.route('**/*', (route) => {
                const url = route.request().url();
                if (url.startsWith(base + '/'))
                    return route.continue();
                offSiteRequests.push(url);
                return route.abort();
            });
            return ctx;
        });
        const page = context.pages()[0] || await context.newPage();
        page.on('dialog', async (dialog) => {
            browserDialogs.push(`${dialog.type()}: ${dialog.message()}`);
            await dialog.dismiss().catch(() => {});
        });
        context.on('page', (p) => p.on('dialog', async (dialog) => {
            browserDialogs.push(`${dialog.type()}: ${dialog.message()}`);
            await dialog.dismiss().catch(() => {});
        }));

        const cookieNamed = async (name) => (await context.cookies(base)).find((c) => c.name === name);
        const h1 = async () => (await page.locator('h1').innerText()).trim();
        const bodyText = async () => page.locator('body').innerText();

        // ---- 1. Email verification ----------------------------------------------------------
        const alice = { username: 'alice', email: 'alice@example.test', password: PASSWORD,
                        display_name: 'Alice Example', language: 'en' };
        await step('1a sign up alice over the JSON API', () => signup(base, alice));
        const verifyMail = await step('1b read the verification email (text part, quoted-printable)',
                                      () => readMailLink(mailDir, alice.email, '/verify-email', base));
        await step('1c open the link: a page with the "Confirm my email" button', async () => {
            const response = await page.goto(verifyMail.link);
            check(response.status() === 200, `GET /verify-email answered ${response.status()}`);
            const headers = response.headers();
            check((headers['content-security-policy'] || '').includes("default-src 'none'"),
                  `no strict Content-Security-Policy on the page: ${headers['content-security-policy']}`);
            check(headers['referrer-policy'] === 'no-referrer', `Referrer-Policy: ${headers['referrer-policy']}`);
            check(await h1() === 'Confirm your email address', `unexpected heading: ${await h1()}`);
            check((await bodyText()).includes(alice.email), 'the page does not show the address');
            const button = page.getByRole('button', { name: 'Confirm my email' });
            check(await button.count() === 1, 'no "Confirm my email" button');
            await page.screenshot({ path: path.join(screenshotDir, 'verify-email.png'), fullPage: true });
        });
        await step('1d opening the link (and waiting 2 s) did not verify: login is 403 not_verified', async () => {
            await sleep(2000);
            const r = await jsonLogin(base, alice.username);
            check(r.status === 403 && r.json?.error?.code === 'not_verified',
                  `expected 403 not_verified before the click, got ${r.status} ${r.text}`);
        });
        await step('1e click "Confirm my email": the account is verified, you can log in', async () => {
            await page.getByRole('button', { name: 'Confirm my email' }).click();
            await page.waitForLoadState('load');
            check(new URL(page.url()).pathname === '/verify-email', `ended on ${page.url()}`);
            check(await h1() === 'Email address confirmed', `unexpected heading after the click: ${await h1()}`);
            const text = await bodyText();
            check(/confirmed/i.test(text) && /you can log in/i.test(text),
                  `the result page does not say the account is verified and can log in: ${text}`);
            await page.screenshot({ path: path.join(screenshotDir, 'verify-email-done.png'), fullPage: true });
        });
        await step('1f the JSON login now answers 200', async () => {
            const r = await jsonLogin(base, alice.username);
            check(r.status === 200 && typeof r.json?.ust === 'string',
                  `expected 200 with a ust after verification, got ${r.status} ${r.text}`);
            check(r.json.user?.verified_email === true && r.json.user?.status === 'active',
                  `the user is not verified and active: ${r.text}`);
        });
        await step('1g opening the used link again says it no longer works', async () => {
            const response = await page.goto(verifyMail.link);
            check(response.status() === 400, `GET of a used link answered ${response.status()}`);
            check(await h1() === 'This link no longer works', `unexpected heading: ${await h1()}`);
        });

        // ---- 2. Email-link login ------------------------------------------------------------
        await step('2a request a login link with next_page=/welcome', () =>
            requestLoginLink(base, alice.email, '/welcome'));
        const loginMail = await step('2b read the login email',
                                     () => readMailLink(mailDir, alice.email, '/login/confirm', base));
        await step('2c open the link: email, editable name, ToS checkbox; no session yet', async () => {
            check(new URL(loginMail.link).searchParams.get('next_page') === '/welcome',
                  `the login link does not carry next_page=/welcome: ${loginMail.link}`);
            const response = await page.goto(loginMail.link);
            check(response.status() === 200, `GET /login/confirm answered ${response.status()}`);
            check(await h1() === 'Log in', `unexpected heading: ${await h1()}`);
            check((await bodyText()).includes(alice.email), 'the page does not show the email');
            const name = page.getByLabel('Full name');
            check(await name.isEditable(), 'the full name is not editable');
            check(await name.inputValue() === alice.display_name, `name field holds "${await name.inputValue()}"`);
            const tos = page.getByLabel(/I accept the Terms of Service/);
            check(await tos.count() === 1, 'no Terms of Service checkbox');
            check(!(await tos.isChecked()), 'the ToS checkbox is ticked already');
            check((await bodyText()).includes(`version ${TOS_VERSION}`), 'the ToS label does not name the version');
            check(!(await cookieNamed('sd_session')), 'a session cookie exists before the form was sent');
            check(await cookieNamed('sd_csrf'), 'no sd_csrf cookie after the page GET');
            await page.screenshot({ path: path.join(screenshotDir, 'login-confirm.png'), fullPage: true });
        });
        await step('2d submit without ToS: the browser refuses the required checkbox', async () => {
            await page.getByLabel('Full name').fill('Alice Renamed');
            const before = page.url();
            await page.getByRole('button', { name: 'Log in' }).click();
            await sleep(500);
            check(page.url() === before, `the form was sent without the ToS: now on ${page.url()}`);
            const message = await page.getByLabel(/I accept the Terms of Service/)
                .evaluate((el) => el.validationMessage);
            check(message, 'the ToS checkbox reports no validation error');
            check(!(await cookieNamed('sd_session')), 'a session cookie was set without ToS');
        });
        await step('2e send it without ToS anyway (required removed): 400, error shown, no cookie', async () => {
            await page.getByLabel(/I accept the Terms of Service/).evaluate((el) => el.removeAttribute('required'));
            const [response] = await Promise.all([
                page.waitForResponse((r) => r.url() === `${base}/login/confirm` && r.request().method() === 'POST'),
                page.getByRole('button', { name: 'Log in' }).click(),
            ]);
            await page.waitForLoadState('load');
            check(response.status() === 400, `POST without ToS answered ${response.status()}`);
            check((await bodyText()).includes('Accept the Terms of Service to continue.'),
                  'no "Accept the Terms of Service" error on the page');
            check(await page.getByLabel('Full name').inputValue() === 'Alice Renamed',
                  'the edited name was lost on the error page');
            check(!(await cookieNamed('sd_session')), 'a session cookie was set without ToS');
            await page.screenshot({ path: path.join(screenshotDir, 'login-confirm-tos-error.png'), fullPage: true });
        });
        await step('2f tick ToS and submit: redirected to /welcome with an HttpOnly session cookie', async () => {
            await page.getByLabel(/I accept the Terms of Service/).check();
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForURL((url) => url.pathname !== '/login/confirm');
            const url = new URL(page.url());
            check(url.origin === base && url.pathname === '/welcome', `ended on ${page.url()}, not ${base}/welcome`);
            const session = await cookieNamed('sd_session');
            check(session, 'no sd_session cookie after the login');
            check(session.httpOnly, 'sd_session is not HttpOnly');
            check(session.sameSite === 'Lax', `sd_session SameSite=${session.sameSite}`);
            check(session.path === '/', `sd_session Path=${session.path}`);
            check(session.expires > Date.now() / 1000, 'sd_session is not a persistent cookie (Max-Age)');
            const visible = await page.evaluate(() => document.cookie);
            check(!visible.includes('sd_session'), 'document.cookie shows sd_session');
        });
        await step('2g the home page knows the session and the new name; the link is spent', async () => {
            await page.goto(base + '/');
            const text = await bodyText();
            check(text.includes('You are logged in as Alice Renamed.'), `home page says: ${text}`);
            const response = await page.goto(loginMail.link);
            check(response.status() === 400, `a used login link answered ${response.status()}`);
        });

        // ---- 3. Open redirect ---------------------------------------------------------------
        for (const evil of ['https://evil.example.com/x', '//evil.example.com']) {
            await step(`3 next_page=${evil} ends on / of our server`, async () => {
                await requestLoginLink(base, alice.email, evil);
                const mail = await readMailLink(mailDir, alice.email, '/login/confirm', base);
                // The emailed link drops a next_page it would not follow; a tampered link puts it back.
                const link = new URL(mail.link);
                check(link.searchParams.get('next_page') !== evil, `the emailed link carries next_page=${evil}`);
                link.searchParams.set('next_page', evil);
                await page.goto(link.toString());
                check(await page.locator('input[name="next_page"]').inputValue() === evil,
                      'the tampered next_page did not reach the form');
                const [response] = await Promise.all([
                    page.waitForResponse((r) => r.url() === `${base}/login/confirm` && r.request().method() === 'POST'),
                    page.getByRole('button', { name: 'Log in' }).click(),
                ]);
                check(response.status() === 303, `POST answered ${response.status()}`);
                check(response.headers().location === '/', `Location: ${response.headers().location}`);
                await page.waitForLoadState('load');
                const url = new URL(page.url());
                check(url.origin === base && url.pathname === '/', `ended on ${page.url()}`);
                check(!offSiteRequests.some((u) => u.includes('evil.example.com')),
                      `the browser asked for ${offSiteRequests.join(', ')}`);
            });
        }

        // ---- 4. No script runs --------------------------------------------------------------
        const markup = '<img src=x onerror=alert(1)>';
        const mallory = { username: 'mallory', email: 'mallory@example.test', password: PASSWORD,
                          display_name: markup, language: 'en' };
        await step('4a sign up and verify a user named <img src=x onerror=alert(1)>', async () => {
            await signup(base, mallory);
            const mail = await readMailLink(mailDir, mallory.email, '/verify-email', base);
            await page.goto(mail.link);
            await page.getByRole('button', { name: 'Confirm my email' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Email address confirmed', `unexpected heading: ${await h1()}`);
        });
        await step('4b the login page shows the name escaped, as text', async () => {
            await requestLoginLink(base, mallory.email, '/');
            const mail = await readMailLink(mailDir, mallory.email, '/login/confirm', base);
            await page.goto(mail.link);
            check(await page.getByLabel('Full name').inputValue() === markup,
                  `name field holds "${await page.getByLabel('Full name').inputValue()}"`);
            check(await page.locator('img').count() === 0, 'an <img> element made it into the page');
            check((await page.content()).includes('value="&lt;img src=x onerror=alert(1)&gt;"'),
                  'the name is not HTML-escaped in the form');
            await page.getByLabel(/I accept the Terms of Service/).check();
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForURL((url) => url.pathname === '/');
            check((await bodyText()).includes(`You are logged in as ${markup}.`),
                  `home page says: ${await bodyText()}`);
            check(await page.locator('img').count() === 0, 'an <img> element made it into the home page');
        });
        await step('4c no dialog opened, no request left the server', async () => {
            await sleep(1000);
            check(browserDialogs.length === 0, `dialogs opened: ${browserDialogs.join('; ')}`);
            check(offSiteRequests.length === 0, `requests off the server: ${offSiteRequests.join(', ')}`);
        });
        // ---- 5. The sign-in page ------------------------------------------------------------
        const NEW_PASSWORD = 'Amber-Harbour-Quiver-482';
        const NEWER_PASSWORD = 'Cobalt-Meadow-Lantern-915';
        const signInWithPassword = async (username, password) => {
            await page.goto(base + '/login');
            await page.getByLabel('Username or email address').fill(username);
            await page.getByLabel('Password', { exact: true }).fill(password);
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForLoadState('load');
        };
        await step('5a /login with the password: to /account, which shows the account', async () => {
            const response = await page.goto(base + '/login');
            check(response.status() === 200, `GET /login answered ${response.status()}`);
            check(await h1() === 'Log in', `unexpected heading: ${await h1()}`);
            await page.screenshot({ path: path.join(screenshotDir, 'sign-in.png'), fullPage: true });
            await signInWithPassword(alice.username, 'wrong password, surely');
            check((await bodyText()).includes('The username or password is wrong.'),
                  `no error after a wrong password: ${await bodyText()}`);
            await signInWithPassword(alice.username, PASSWORD);
            check(new URL(page.url()).pathname === '/account', `ended on ${page.url()}`);
            check(await h1() === 'Your account', `unexpected heading: ${await h1()}`);
            const text = await bodyText();
            check(text.includes(alice.email) && text.includes('alice'), `the account page says: ${text}`);
            check(text.includes('This browser'), 'the sessions list does not mark this browser');
            const session = await cookieNamed('sd_session');
            check(session && session.httpOnly, 'no HttpOnly session cookie after the password sign-in');
        });
        await step('5b "Email me a link": the mailed link signs in and lands on /account', async () => {
            await context.clearCookies();
            await page.goto(base + '/login');
            await page.locator('#link-email').fill(alice.email);
            await page.getByRole('button', { name: 'Email me a link' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Check your inbox', `unexpected heading: ${await h1()}`);
            const mail = await readMailLink(mailDir, alice.email, '/login/confirm', base);
            await page.goto(mail.link);
            check(await h1() === 'Log in', `unexpected heading on the link: ${await h1()}`);
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForURL((url) => url.pathname === '/account');
            check(await h1() === 'Your account', `unexpected heading: ${await h1()}`);
        });

        // ---- 6. Forgot password -------------------------------------------------------------
        await step('6a /forgot-password from the sign-in page: "check your inbox"', async () => {
            await page.goto(base + '/login');
            await page.getByRole('link', { name: 'Forgot your password?' }).click();
            await page.waitForURL((url) => url.pathname === '/forgot-password');
            await page.getByLabel('Email address').fill(alice.email);
            await page.getByRole('button', { name: 'Send me a reset link' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Check your inbox', `unexpected heading: ${await h1()}`);
        });
        const resetMail = await step('6b read the reset email (link and code)',
                                     () => readMailLink(mailDir, alice.email, '/reset-password', base));
        await step('6c /reset-password: two different passwords are refused, then it changes', async () => {
            check(/\b\d{6}\b/.test(resetMail.text), 'the reset email shows no 6-digit code');
            const response = await page.goto(resetMail.link);
            check(response.status() === 200, `GET /reset-password answered ${response.status()}`);
            check(await h1() === 'Choose a new password', `unexpected heading: ${await h1()}`);
            check((await bodyText()).includes(alice.email), 'the reset page does not show the address');
            await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
            await page.getByLabel('New password, again').fill(NEW_PASSWORD + 'x');
            await page.getByRole('button', { name: 'Change my password' }).click();
            await page.waitForLoadState('load');
            check((await bodyText()).includes('The two passwords are not the same.'),
                  `no mismatch error: ${await bodyText()}`);
            await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
            await page.getByLabel('New password, again').fill(NEW_PASSWORD);
            await page.getByRole('button', { name: 'Change my password' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Password changed', `unexpected heading: ${await h1()}`);
            const old = await jsonLogin(base, alice.username);
            check(old.status === 401, `the old password still logs in: ${old.status}`);
            const fresh = await api(base, 'POST', '/api/v1/login', { username: alice.username, password: NEW_PASSWORD });
            check(fresh.status === 200, `the new password does not log in: ${fresh.status} ${fresh.text}`);
            const again = await page.goto(resetMail.link);
            check(again.status() === 400, `the used reset link answered ${again.status()}`);
        });

        // ---- 7. The account page ------------------------------------------------------------
        const aliceNewEmail = 'alice.new@example.test';
        await step('7a /account: change the password', async () => {
            await context.clearCookies();
            await signInWithPassword(alice.username, NEW_PASSWORD);
            check(new URL(page.url()).pathname === '/account', `ended on ${page.url()}`);
            await page.locator('#current-password').fill(NEW_PASSWORD);
            await page.locator('#account-new-password').fill(NEWER_PASSWORD);
            await page.locator('#account-new-password-again').fill(NEWER_PASSWORD);
            await page.getByRole('button', { name: 'Change my password' }).click();
            await page.waitForLoadState('load');
            check((await bodyText()).includes('Your password is changed.'), `no notice: ${await bodyText()}`);
            const r = await api(base, 'POST', '/api/v1/login', { username: alice.username, password: NEWER_PASSWORD });
            check(r.status === 200, `the changed password does not log in: ${r.status}`);
        });
        await step('7b /account: change the email, confirmed on /confirm-email-change', async () => {
            await page.goto(base + '/account');
            await page.locator('#new-email').fill(aliceNewEmail);
            await page.locator('#email-current-password').fill(NEWER_PASSWORD);
            await page.getByRole('button', { name: 'Send a confirmation link' }).click();
            await page.waitForLoadState('load');
            check((await bodyText()).includes('A confirmation link is on its way'), `no notice: ${await bodyText()}`);
            const mail = await readMailLink(mailDir, aliceNewEmail, '/confirm-email-change', base);
            const before = await api(base, 'POST', '/api/v1/login', { username: alice.username, password: NEWER_PASSWORD });
            check(before.json?.user?.email === alice.email, `the email changed before the confirmation: ${before.text}`);
            await page.goto(mail.link);
            check(await h1() === 'Confirm your new email address', `unexpected heading: ${await h1()}`);
            check((await bodyText()).includes(aliceNewEmail), 'the page does not show the new address');
            await page.getByRole('button', { name: 'Confirm this address' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Email address changed', `unexpected heading: ${await h1()}`);
            const after = await api(base, 'POST', '/api/v1/login', { username: alice.username, password: NEWER_PASSWORD });
            check(after.json?.user?.email === aliceNewEmail, `the email did not change: ${after.text}`);
        });
        await step('7c /account: end another session (a JSON API one)', async () => {
            const other = await api(base, 'POST', '/api/v1/login', { username: alice.username, password: NEWER_PASSWORD });
            check(other.status === 200, `JSON login: ${other.status}`);
            const me = () => fetch(base + '/api/v1/user/me', { headers: { Authorization: `Bearer ${other.json.ust}` } });
            check((await me()).status === 200, 'the other session does not work');
            const listed = await fetch(base + '/api/v1/user/sessions', { headers: { Authorization: `Bearer ${other.json.ust}` } });
            const current = (await listed.json()).find((s) => s.current);
            check(current, 'the JSON list has no current session');
            await page.goto(base + '/account');
            const item = page.locator('li.session').filter({ has: page.locator(`input[value="${current.session_id}"]`) });
            check(await item.count() === 1, `no item with an end button for ${current.session_id}`);
            await page.screenshot({ path: path.join(screenshotDir, 'account.png'), fullPage: true });
            await item.getByRole('button').click();
            await page.waitForLoadState('load');
            check((await bodyText()).includes('That session has ended.'), `no notice: ${await bodyText()}`);
            check((await me()).status === 401, 'the ended session still works');
            check(await page.locator(`input[value="${current.session_id}"]`).count() === 0,
                  'the ended session is still listed');
            check((await bodyText()).includes('This browser'), 'this browser\'s session is gone from the list');
        });
        await step('7d /account: delete the account (password, confirmation box): signed out, goodbye', async () => {
            await page.locator('#delete-current-password').fill(NEWER_PASSWORD);
            const before = page.url();
            await page.getByRole('button', { name: 'Delete my account' }).click();
            await sleep(300);
            check(page.url() === before && await h1() === 'Your account',
                  'the form was sent without the confirmation box');
            await page.getByLabel('I understand that my account is deleted for good.').check();
            await page.getByRole('button', { name: 'Delete my account' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Your account is deleted', `unexpected heading: ${await h1()}`);
            check(!(await cookieNamed('sd_session')), 'the session cookie is still there');
            const r = await api(base, 'POST', '/api/v1/login', { username: alice.username, password: NEWER_PASSWORD });
            check(r.status === 401, `the deleted account still logs in: ${r.status}`);
            await waitFor('the goodbye email', async () => {
                const log = await fs.readFile(path.join(mailDir, 'envelope.json'), 'utf8').catch(() => '');
                for (const line of log.split('\n').filter(Boolean)) {
                    const entry = JSON.parse(line);
                    if (!entry.file || consumedMail.has(entry.file) || !entry.rcpt_tos.includes(aliceNewEmail))
                        continue;
                    const raw = await fs.readFile(path.join(mailDir, entry.file), 'utf8');
                    const text = mimeParts(raw).find((p) => p.type === 'text/plain')?.text || '';
                    if (/deleted/i.test(text)) {
                        consumedMail.add(entry.file);
                        return true;
                    }
                }
                return false;
            });
            const response = await page.goto(base + '/account');
            check(new URL(page.url()).pathname === '/login', `/account after the deletion: ${page.url()} ${response.status()}`);
        });

        // ---- 8. Invitation ------------------------------------------------------------------
        const carol = { email: 'carol@example.test', username: 'carol', name: 'Carol Invited' };
        await step('8a `signupdesk admin invite` mails an invitation', async () => {
            const out = await new Promise((resolve, reject) => {
                execFile(serverBin, ['admin', 'invite', carol.email, '--config', configFile], { env, cwd: tmp, timeout: 15_000 },
                         (err, stdout, stderr) => (err ? reject(new StepFailure(`admin invite failed: ${err.message} ${stderr}`))
                                                       : resolve(stdout)));
            });
            check(/inv_/.test(out), `admin invite printed no invitation id: ${out}`);
        });
        const inviteMail = await step('8b read the invitation email',
                                      () => readMailLink(mailDir, carol.email, '/accept-invite', base));
        await step('8c /accept-invite: username, name, password, ToS: an active, verified account', async () => {
            const response = await page.goto(inviteMail.link);
            check(response.status() === 200, `GET /accept-invite answered ${response.status()}`);
            check(await h1() === 'Create your account', `unexpected heading: ${await h1()}`);
            check((await bodyText()).includes(carol.email), 'the page does not show the invited address');
            await page.getByLabel('Username').fill(carol.username);
            await page.getByLabel('Full name').fill(carol.name);
            await page.getByLabel('Password (at least 12 characters)').fill(PASSWORD);
            await page.getByLabel(/I accept the Terms of Service/).check();
            await page.screenshot({ path: path.join(screenshotDir, 'accept-invite.png'), fullPage: true });
            await page.getByRole('button', { name: 'Create my account' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Your account is ready', `unexpected heading: ${await h1()}`);
            const r = await jsonLogin(base, carol.username);
            check(r.status === 200, `the invited account does not log in: ${r.status} ${r.text}`);
            check(r.json.user.status === 'active' && r.json.user.verified_email === true &&
                  r.json.user.email === carol.email && r.json.user.display_name === carol.name,
                  `the invited account is not active and verified: ${r.text}`);
            const again = await page.goto(inviteMail.link);
            check(again.status() === 400, `the used invitation answered ${again.status()}`);
        });
        await step('8d no dialog opened, no request left the server', async () => {
            check(browserDialogs.length === 0, `dialogs opened: ${browserDialogs.join('; ')}`);
            check(offSiteRequests.length === 0, `requests off the server: ${offSiteRequests.join(', ')}`);
        });
        // ---- 9. Second factor ----------------------------------------------------------------
        const tara = { username: 'tara', email: 'tara@example.test', password: PASSWORD, language: 'en' };
        let secret = '';
        await step('9a sign up tara, verify over the API and turn the second factor on', async () => {
            await signup(base, tara);
            const mail = await readMailLink(mailDir, tara.email, '/verify-email', base);
            const link = new URL(mail.link);
            const verified = await api(base, 'POST', '/api/v1/user/verify-email/',
                                       { email: link.searchParams.get('email'),
                                         token: link.searchParams.get('token') });
            check(verified.status === 200, `verify-email answered ${verified.status} ${verified.text}`);
            const ust = (await jsonLogin(base, tara.username)).json?.ust;
            check(ust, 'no session for tara');
            const auth = { Authorization: `Bearer ${ust}`, 'Content-Type': 'application/json' };
            const started = await fetch(`${base}/api/v1/user/mfa/totp`, {
                method: 'POST', headers: auth, body: JSON.stringify({ current_password: PASSWORD }) });
            secret = (await started.json()).secret;
            check(/^[A-Z2-7]{32}$/.test(secret || ''), `no base32 secret: ${secret}`);
            const confirmed = await fetch(`${base}/api/v1/user/mfa/totp/confirm`, {
                method: 'POST', headers: auth, body: JSON.stringify({ code: totpCode(secret, totpStep()) }) });
            check(confirmed.status === 200, `confirm answered ${confirmed.status}`);
            check((await confirmed.json()).recovery_codes?.length === 10, 'not 10 recovery codes');
        });
        await step('9b /login with the password: the code form, and no session cookie yet', async () => {
            await context.clearCookies();
            await page.goto(`${base}/login`);
            await page.getByLabel('Username or email address').fill(tara.username);
            await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Second factor', `unexpected heading: ${await h1()}`);
            check(!(await cookieNamed('sd_session')), 'a session cookie was set before the code');
            await page.screenshot({ path: path.join(screenshotDir, 'mfa-code.png'), fullPage: true });
        });
        await step('9c a wrong code: the form again, still no cookie', async () => {
            const right = totpCode(secret, totpStep() + 1);
            await page.getByLabel('Code from the app, or a recovery code').fill(right === '000000' ? '111111' : '000000');
            await page.getByRole('button', { name: 'Continue' }).click();
            await page.waitForLoadState('load');
            check((await bodyText()).includes('This code is not valid'), `no error shown: ${await bodyText()}`);
            check(!(await cookieNamed('sd_session')), 'a session cookie was set for a wrong code');
        });
        await step('9d the app\'s code (next step, one of drift): /account with an HttpOnly cookie', async () => {
            await page.getByLabel('Code from the app, or a recovery code').fill(totpCode(secret, totpStep() + 1));
            await page.getByRole('button', { name: 'Continue' }).click();
            await page.waitForURL((url) => url.pathname === '/account');
            const cookie = await cookieNamed('sd_session');
            check(cookie && cookie.httpOnly, `session cookie: ${JSON.stringify(cookie)}`);
            check((await bodyText()).includes('On. Signing in asks for a code'),
                  `the account page does not say the second factor is on: ${await bodyText()}`);
            await page.screenshot({ path: path.join(screenshotDir, 'mfa-account.png'), fullPage: true });
        });
        // Enrolment on /account, then the email-link login asking for the code (a recovery code).
        const uma = { username: 'uma', email: 'uma@example.test', password: PASSWORD, language: 'en' };
        let umaSecret = '';
        let umaRecoveryCodes = [];
        await step('9e /account, second factor off: "Turn on" with the password shows a QR code and the key', async () => {
            await signup(base, uma);
            const mail = await readMailLink(mailDir, uma.email, '/verify-email', base);
            const link = new URL(mail.link);
            const verified = await api(base, 'POST', '/api/v1/user/verify-email/',
                                       { email: link.searchParams.get('email'),
                                         token: link.searchParams.get('token') });
            check(verified.status === 200, `verify-email answered ${verified.status} ${verified.text}`);
            await context.clearCookies();
            await page.goto(`${base}/login`);
            await page.getByLabel('Username or email address').fill(uma.username);
            await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForURL((url) => url.pathname === '/account');
            check((await bodyText()).includes('Off. With a second factor on'),
                  `the account page does not say the second factor is off: ${await bodyText()}`);
            await page.locator('#mfa-start-password').fill(PASSWORD);
            await page.getByRole('button', { name: 'Turn on a second factor' }).click();
            await page.waitForLoadState('load');
            check(await page.locator('.qr svg').count() === 1, 'no QR code (inline SVG) on the page');
            umaSecret = (await page.locator('.secret').innerText()).replace(/\s+/g, '');
            check(/^[A-Z2-7]{32}$/.test(umaSecret), `the key shown is not base32: ${umaSecret}`);
            await page.screenshot({ path: path.join(screenshotDir, 'mfa-enrol.png'), fullPage: true });
        });
        await step('9f the app\'s first code turns it on and shows 10 recovery codes once', async () => {
            await page.locator('#mfa-confirm-code').fill(totpCode(umaSecret, totpStep()));
            await page.getByRole('button', { name: 'Turn on', exact: true }).click();
            await page.waitForLoadState('load');
            check(await h1() === 'Your recovery codes', `unexpected heading: ${await h1()}`);
            umaRecoveryCodes = (await page.locator('ul.codes li').allInnerTexts()).map((c) => c.trim());
            check(umaRecoveryCodes.length === 10, `${umaRecoveryCodes.length} recovery codes shown`);
            await page.goto(`${base}/account`);
            check((await bodyText()).includes('On. Signing in asks for a code'),
                  `the account page does not say the second factor is on: ${await bodyText()}`);
            check(!(await bodyText()).includes(umaSecret), 'the key is shown again after enrolment');
        });
        // A new browser follows a fresh login link of uma's to the code form (the ToS ticked
        // when the page asks for it).
        const umaLinkToCodeForm = async () => {
            await context.clearCookies();
            await requestLoginLink(base, uma.email, '/account');
            const mail = await readMailLink(mailDir, uma.email, '/login/confirm', base);
            await page.goto(mail.link);
            const tos = page.getByLabel(/I accept the Terms of Service/);
            if (await tos.count())
                await tos.check();
            await page.getByRole('button', { name: 'Log in' }).click();
            await page.waitForLoadState('load');
        };
        await step('9g the email link asks for the code before the cookie; a recovery code passes, once', async () => {
            await umaLinkToCodeForm();
            check(await h1() === 'Second factor', `unexpected heading: ${await h1()}`);
            check(!(await cookieNamed('sd_session')), 'a session cookie was set before the code');
            await page.getByLabel('Code from the app, or a recovery code').fill(umaRecoveryCodes[0]);
            await page.getByRole('button', { name: 'Continue' }).click();
            await page.waitForURL((url) => url.pathname === '/account');
            const cookie = await cookieNamed('sd_session');
            check(cookie && cookie.httpOnly, `session cookie: ${JSON.stringify(cookie)}`);
            // The same recovery code a second time: refused.
            await umaLinkToCodeForm();
            await page.getByLabel('Code from the app, or a recovery code').fill(umaRecoveryCodes[0]);
            await page.getByRole('button', { name: 'Continue' }).click();
            await page.waitForLoadState('load');
            check((await bodyText()).includes('This code is not valid'), `a used recovery code passed: ${await bodyText()}`);
            check(!(await cookieNamed('sd_session')), 'a session cookie was set for a used recovery code');
        });
        log(`screenshots in ${screenshotDir}`);
    } catch (err) {
        failed = true;
        const detail = err instanceof StepFailure ? err.message : (err && err.stack) || String(err);
        console.error(`[e2e] FAIL in step "${currentStep}": ${detail}`);
        if (server)
            console.error(`[e2e] signupdesk output (last 40 lines):\n${server.output.split('\n').slice(-40).join('\n')}`);
        if (sink && sink.output.trim())
            console.error(`[e2e] smtp sink output:\n${sink.output.split('\n').slice(-20).join('\n')}`);
    } finally {
        currentStep = 'teardown';
        if (context)
            await Promise.race([context.close().catch(() => {}), sleep(5000)]);
        await Promise.all(children.map(stopProcess));
        clearTimeout(budget);
        if (tmp && !process.env.SD_E2E_KEEP) {
            await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
            tempDir = null;
        } else if (tmp) {
            log(`kept ${tmp}`);
        }
    }
    if (failed)
        return 1;
    log(`PASS: ${stepCount} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
}

// Exit at once: pending keep-alive sockets and timers must not hold the test for seconds.
process.exit(await main());
