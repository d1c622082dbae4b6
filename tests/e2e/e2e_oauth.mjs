#!/usr/bin/env node
// End-to-end test of the OAuth browser flow (issue 15, SEC-26) in a real browser:
//
//   SD_SIGNUPDESK_BIN=build/app/signupdesk node tests/e2e/e2e_oauth.mjs
//
// Starts a Google-like OAuth 2 provider on loopback (this file: /authorize, /token with the
// PKCE check, /userinfo), a real `signupdesk --headless` with SQLite pointed at it, and
// Debian's Chromium driven by playwright-core. What it checks:
//   1. the browser goes to /oauth/start/google?language=fr, gets the HttpOnly binding cookie,
//      passes the provider (which checks PKCE S256) and lands on /oauth/done in French, with
//      a button; pressing it sets the session cookie and opens /account with the address;
//   2. a second browser (a fresh context: no cookies) that opens the callback URL of a flow
//      the first one started gets "started in another browser" and no session;
//   3. /oauth/done?error=access_denied shows the German text for a German browser.
//
// Environment: SD_SIGNUPDESK_BIN (required), SD_CHROMIUM (default /usr/bin/chromium),
// SD_SCREENSHOT_DIR (default: the temp folder), SD_E2E_KEEP=1 keeps the temp folder.
// Exit 0 on success, 1 with the failing step otherwise; every process is stopped.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const serverBin = process.env.SD_SIGNUPDESK_BIN;
const chromiumPath = process.env.SD_CHROMIUM || '/usr/bin/chromium';
const BUDGET_MS = 60_000;
const CLIENT_ID = 'e2e-client';
const CLIENT_SECRET = 'e2e-secret';

const started = Date.now();
let currentStep = 'setup';
const say = (m) => console.log(`[e2e-oauth ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${m}`);
class Failure extends Error {}
const expect = (ok, message) => { if (!ok) throw new Failure(message); };
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function stage(name, fn) {
    currentStep = name;
    say(`-> ${name}`);
    const value = await fn();
    say(`ok ${name}`);
    return value;
}

// ---- the provider: one user, codes bound to their PKCE challenge and redirect URI ----------

function startProvider(user) {
    const codes = new Map();  // code -> {challenge, redirectUri}
    const tokens = new Set();
    // hold: answer the next consent with a page naming the callback instead of going there
    // (the callback URL, carried to another browser, is what an attacker would hand over).
    const seen = { authorize: 0, token: 0, hold: false, heldCallback: null };
    const server = http.createServer((req, res) => {
        const url = new URL(req.url, 'http://127.0.0.1');
        const answer = (status, body, headers = {}) => {
            res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
            res.end(body === undefined ? '' : JSON.stringify(body));
        };
        if (req.method === 'GET' && url.pathname === '/authorize') {
            seen.authorize += 1;
            const q = url.searchParams;
            if (q.get('client_id') !== CLIENT_ID || q.get('response_type') !== 'code' ||
                q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('state'))
                return answer(400, { error: 'invalid_request' });
            const code = randomBytes(16).toString('hex');
            codes.set(code, { challenge: q.get('code_challenge'), redirectUri: q.get('redirect_uri') });
            const back = new URL(q.get('redirect_uri'));
            back.searchParams.set('code', code);
            back.searchParams.set('state', q.get('state'));
            if (seen.hold) {
                seen.hold = false;
                seen.heldCallback = back.toString();
                res.writeHead(200, { 'Content-Type': 'text/plain' });
                return res.end('consent given');
            }
            res.writeHead(302, { Location: back.toString() });
            return res.end();
        }
        if (req.method === 'POST' && url.pathname === '/token') {
            let body = '';
            req.on('data', (c) => { body += c; });
            req.on('end', () => {
                seen.token += 1;
                const f = new URLSearchParams(body);
                const grant = codes.get(f.get('code'));
                codes.delete(f.get('code'));
                const verifier = f.get('code_verifier') || '';
                const challenge = createHash('sha256').update(verifier).digest('base64url');
                if (!grant || f.get('client_id') !== CLIENT_ID || f.get('client_secret') !== CLIENT_SECRET ||
                    grant.challenge !== challenge || grant.redirectUri !== f.get('redirect_uri'))
                    return answer(400, { error: 'invalid_grant' });
                const token = randomBytes(16).toString('hex');
                tokens.add(token);
                answer(200, { access_token: token, token_type: 'Bearer' });
            });
            return;
        }
        if (req.method === 'GET' && url.pathname === '/userinfo') {
            const token = (req.headers.authorization || '').replace(/^Bearer /, '');
            if (!tokens.has(token))
                return answer(401, { error: 'invalid_token' });
            return answer(200, user);
        }
        answer(404, { error: 'not_found' });
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
        server, seen, base: `http://127.0.0.1:${server.address().port}` })));
}

// ---- processes ---------------------------------------------------------------------------

let child = null;
let tempDir = null;
process.on('exit', () => {
    if (child && child.exitCode === null && child.signalCode === null)
        try { child.kill('SIGKILL'); } catch { /* gone */ }
    if (tempDir && !process.env.SD_E2E_KEEP)
        try { rmSync(tempDir, { recursive: true, force: true }); } catch { /* best effort */ }
});

async function startSignupdesk(dir, provider) {
    const config = path.join(dir, 'signupdesk.ini');
    await fs.writeFile(config, [
        '[server]', 'listen=127.0.0.1', 'port=0', '',
        '[database]', `url=sqlite:${path.join(dir, 'db.sqlite')}`, '',
        '[mail]', `folder=${path.join(dir, 'mail')}`, '',
        '[password]', 'memory_kib=64', 'iterations=1', '',
        '[signup]', 'approval_required=false', '',
        '[oauth_google]', `client_id=${CLIENT_ID}`, `client_secret=${CLIENT_SECRET}`,
        `authorize_url=${provider}/authorize`, `token_url=${provider}/token`,
        `userinfo_url=${provider}/userinfo`, '',
    ].join('\n'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIGNUPDESK_')));
    Object.assign(env, { QT_QPA_PLATFORM: 'offscreen', HOME: dir });
    child = spawn(serverBin, ['--headless', '--config', config], { env, cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => { output += c; });
    child.stderr.on('data', (c) => { output += c; });
    const deadline = Date.now() + 15_000;
    for (;;) {
        const match = output.match(/listening on (https?:\/\/[^\s]+)/);
        if (match)
            return { base: match[1].replace(/\/$/, ''), output: () => output };
        expect(child.exitCode === null, `signupdesk exited (${child.exitCode}):\n${output}`);
        expect(Date.now() < deadline, `no "listening on" line in 15 s:\n${output}`);
        await pause(50);
    }
}

async function main() {
    const budget = setTimeout(() => {
        console.error(`[e2e-oauth] FAIL: over the ${BUDGET_MS / 1000} s budget in step "${currentStep}"`);
        process.exit(1);
    }, BUDGET_MS);
    let browser = null;
    let provider = null;
    let sd = null;
    let failed = false;
    try {
        expect(serverBin && existsSync(serverBin), `SD_SIGNUPDESK_BIN=${serverBin} does not exist`);
        expect(existsSync(chromiumPath), `${chromiumPath} is missing: install Debian's chromium`);
        expect(existsSync(path.join(here, 'node_modules', 'playwright-core')),
               `playwright-core is not installed: run \`npm ci\` in ${here}`);
        const { chromium } = await import('playwright-core');
        tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sd-e2e-oauth-'));
        const shots = process.env.SD_SCREENSHOT_DIR || path.join(tempDir, 'screenshots');
        await fs.mkdir(shots, { recursive: true });

        provider = await stage('start the loopback provider', () => startProvider({
            sub: 'g-ada', email: 'ada@example.test', email_verified: true, name: 'Ada Lovelace' }));
        sd = await stage('start signupdesk --headless', () => startSignupdesk(tempDir, provider.base));
        const base = sd.base;
        browser = await stage('launch headless chromium', () => chromium.launch({
            executablePath: chromiumPath, headless: true, timeout: 20_000,
            args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] }));
        const newContext = async (locale) => {
            const ctx = await browser.newContext({ locale, viewport: { width: 900, height: 640 } });
            ctx.setDefaultTimeout(10_000);
            return ctx;
        };

        // 1. The whole flow in one browser.
        const first = await newContext('en-US');
        const page = await first.newPage();
        await stage('1a start: binding cookie, provider, back on /oauth/done in French', async () => {
            const response = await page.goto(`${base}/oauth/start/google?language=fr`);
            expect(response.status() === 200, `the done page answered ${response.status()}`);
            const url = new URL(page.url());
            expect(url.origin === base && url.pathname === '/oauth/done', `landed on ${page.url()}`);
            expect(url.searchParams.get('confirmation'), 'no confirmation in the done URL');
            expect(provider.seen.authorize === 1 && provider.seen.token === 1,
                   `provider saw ${JSON.stringify(provider.seen)}`);
            expect(!(await first.cookies(base)).some((c) => c.name.startsWith('sd_oauth_') && c.value),
                   'the binding cookie outlived the callback');
            const button = page.getByRole('button', { name: 'Terminer la connexion' });
            expect(await button.count() === 1, 'no French "Terminer la connexion" button');
            await page.screenshot({ path: path.join(shots, 'oauth-done.png'), fullPage: true });
        });
        await stage('1b the button signs in: session cookie, /account shows the address', async () => {
            await Promise.all([page.waitForURL(`${base}/account`),
                               page.getByRole('button', { name: 'Terminer la connexion' }).click()]);
            const session = (await first.cookies(base)).find((c) => c.name === 'sd_session');
            expect(session && session.httpOnly && session.sameSite === 'Lax',
                   `session cookie: ${JSON.stringify(session)}`);
            expect((await page.locator('body').innerText()).includes('ada@example.test'),
                   '/account does not show the address');
            const me = await fetch(`${base}/api/v1/user/me`, { headers: { Authorization: `Bearer ${session.value}` } });
            expect(me.status === 200, `/api/v1/user/me with the cookie's session: ${me.status}`);
        });

        // 2. A callback URL carried to another browser (SEC-26).
        await stage('2 another browser cannot finish a flow this one started', async () => {
            const starter = await newContext('en-US');
            const startPage = await starter.newPage();
            // The provider stops before the callback: the starting browser never presents it.
            provider.seen.hold = true;
            await startPage.goto(`${base}/oauth/start/google?language=en`);
            const callbackUrl = provider.seen.heldCallback;
            expect(callbackUrl, 'the provider made no callback URL');
            const binding = (await starter.cookies(base)).find((c) => c.name.startsWith('sd_oauth_'));
            expect(binding && binding.httpOnly && binding.sameSite === 'Lax', `binding cookie: ${JSON.stringify(binding)}`);
            const victim = await newContext('en-US');
            const victimPage = await victim.newPage();
            await victimPage.goto(callbackUrl);
            const url = new URL(victimPage.url());
            expect(url.pathname === '/oauth/done' && url.searchParams.get('error') === 'invalid_state',
                   `the other browser landed on ${victimPage.url()}`);
            expect((await victimPage.locator('body').innerText()).includes('started in another browser'),
                   'no explanation on the page');
            expect(!(await victim.cookies(base)).some((c) => c.name === 'sd_session'), 'a session was set');
            await victimPage.screenshot({ path: path.join(shots, 'oauth-other-browser.png'), fullPage: true });
            await starter.close();
            await victim.close();
        });

        // 3. An error in the browser's language.
        await stage('3 an error in German for a German browser', async () => {
            const german = await newContext('de-DE');
            const p = await german.newPage();
            const response = await p.goto(`${base}/oauth/done?error=access_denied`);
            expect(response.status() === 400, `status ${response.status()}`);
            expect((await p.locator('body').innerText()).includes('nicht erlaubt'), 'not German');
            await german.close();
        });
    } catch (err) {
        failed = true;
        console.error(`[e2e-oauth] FAIL in step "${currentStep}": ${err instanceof Failure ? err.message : err.stack}`);
        if (sd)
            console.error(`[e2e-oauth] signupdesk output:\n${sd.output().split('\n').slice(-30).join('\n')}`);
    } finally {
        currentStep = 'teardown';
        if (browser)
            await Promise.race([browser.close().catch(() => {}), pause(5000)]);
        if (provider)
            provider.server.close();
        if (child && child.exitCode === null) {
            child.kill('SIGTERM');
            await Promise.race([new Promise((r) => child.on('exit', r)), pause(3000)]);
        }
        clearTimeout(budget);
    }
    if (failed)
        return 1;
    say(`PASS in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
}

process.exit(await main());
