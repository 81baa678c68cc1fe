// End-to-end test of the profile form in headless Chromium (Debian's `chromium`, driven by
// playwright-core). Run from the workspace root by `cargo test` (crates/emailprof-cli/tests/it/
// serve.rs) when EMAILPROF_E2E=1, or by hand:
//
//   EMAILPROF_BIN=target/debug/emailprof node web/e2e/form.e2e.mjs
//
// It checks that the committed web/dist is what `npm run build` makes, starts `emailprof serve`
// on a free port, fills the form for examples/contoso.yaml (typing, selecting, toggling, and
// checking that conditional settings appear and disappear), downloads the profile as YAML and
// JSON, has `emailprof validate` and `emailprof diff` judge the downloads, downloads the
// `.mobileconfig` for user1 through the page and compares it byte for byte with `emailprof emit`,
// opens the page from disk (no server) to fill and download there too, and leaves a screenshot
// in target/e2e/form.png.
//
// Environment: EMAILPROF_BIN (required), CHROMIUM (default /usr/bin/chromium),
// EMAILPROF_E2E_SKIP_BUILD_CHECK=1 to skip the bundle check (e.g. while editing web/src).

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '..');
const root = path.resolve(web, '..');
const bin = process.env.EMAILPROF_BIN && path.resolve(process.env.EMAILPROF_BIN);
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const artifacts = path.join(root, 'target', 'e2e');
const schema = JSON.parse(readFileSync(path.join(root, 'schemas/email-profile.schema.json'), 'utf8'));
const contoso = YAML.parse(readFileSync(path.join(root, 'examples/contoso.yaml'), 'utf8'));

let passed = 0;
let failed = 0;
const failures = [];

function log(msg) {
  process.stdout.write(`${msg}\n`);
}

/** One named check; the run goes on after a failure so every problem is reported. */
async function check(name, fn) {
  const start = Date.now();
  try {
    await fn();
    passed += 1;
    log(`ok - ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed += 1;
    failures.push(name);
    log(`FAILED - ${name}\n    ${String(e?.stack ?? e).split('\n').join('\n    ')}`);
  }
}

/** The label the form shows for enum member `value` of `$defs/def` (its `title`). */
function title(def, value) {
  const member = schema.$defs[def]?.oneOf?.find((m) => m.const === value);
  assert.ok(member, `$defs/${def} has no member ${value}`);
  return member.title;
}

function emailprof(args, options = {}) {
  return spawnSync(bin, args, { cwd: root, encoding: options.encoding ?? 'utf8', env: { ...process.env, RUST_LOG: '' } });
}

/** Files below `dir`, relative, sorted. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** `obj` holds every member of `subset` with the same value (arrays compared whole). */
function assertContains(obj, subset, at = '') {
  if (subset !== null && typeof subset === 'object' && !Array.isArray(subset)) {
    assert.ok(obj !== null && typeof obj === 'object', `${at || '/'}: expected an object`);
    for (const [k, v] of Object.entries(subset)) assertContains(obj[k], v, `${at}/${k}`);
  } else {
    assert.deepEqual(obj, subset, `${at}: ${JSON.stringify(obj)} != ${JSON.stringify(subset)}`);
  }
}

function startServer(cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--allow-files', '.'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`emailprof serve printed no address in 20 s: ${err}`)), 20_000);
    child.stderr.on('data', (chunk) => {
      err += chunk;
      // The printed URL carries the run's access token; the page keeps it as a cookie.
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)\?token=[0-9a-f]+/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], pageUrl: m[0] });
      }
    });
    child.on('exit', (code) => reject(new Error(`emailprof serve exited with ${code}: ${err}`)));
  });
}

async function main() {
  assert.ok(bin, 'set EMAILPROF_BIN to the emailprof binary');
  mkdirSync(artifacts, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'emailprof-e2e-'));
  // The server reads certificate files below its working directory, as the CLI reads them
  // relative to the profile: give both the example certificates.
  cpSync(path.join(root, 'examples/certs'), path.join(work, 'certs'), { recursive: true });

  if (process.env.EMAILPROF_E2E_SKIP_BUILD_CHECK === '1') {
    log('SKIP - committed web/dist equals a fresh build (EMAILPROF_E2E_SKIP_BUILD_CHECK=1)');
  } else {
    await check('committed web/dist equals a fresh `npm run build`', () => {
      const fresh = path.join(work, 'dist');
      execFileSync(process.execPath, [path.join(web, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', fresh, '--emptyOutDir', '--logLevel', 'error'], {
        cwd: web,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const committed = path.join(web, 'dist');
      assert.deepEqual(listFiles(fresh), listFiles(committed));
      for (const f of listFiles(fresh)) {
        assert.ok(readFileSync(path.join(fresh, f)).equals(readFileSync(path.join(committed, f))), `web/dist/${f} differs: run npm run build in web/`);
      }
    });
  }

  const { child: server, url, pageUrl } = await startServer(work);
  const userData = mkdtempSync(path.join(tmpdir(), 'emailprof-chromium-'));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const pageErrors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      // The 400 of the deliberate emit error below is expected; any other failure is not.
      if (m.type() === 'error' && !/status of 400/.test(m.text())) pageErrors.push(m.text());
    });
    const $ = (id) => page.locator(`#${id}`);
    const present = async (id) => assert.equal(await $(id).count(), 1, `#${id} should be shown`);
    const absent = async (id) => assert.equal(await $(id).count(), 0, `#${id} should be hidden`);
    const select = (id, def, value) => $(id).selectOption({ label: title(def, value) });
    const fill = async (id, value) => {
      await $(id).fill(value);
      assert.equal(await $(id).inputValue(), value);
    };
    const setChecked = (id, on) => $(id).setChecked(on);
    const waitValid = async (valid) => {
      await page.waitForSelector(`#status[data-valid="${valid}"]`, { timeout: 10_000 });
      // The server's check runs debounced after each change; let the last one land.
      await page.waitForTimeout(800);
      const findings = await page.evaluate(() => document.querySelector('.findings')?.textContent ?? '');
      assert.equal(await $('status').getAttribute('data-valid'), String(valid), findings);
    };
    const downloadFrom = async (buttonId, file) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), $(buttonId).click()]);
      const target = path.join(work, file);
      await dl.saveAs(target);
      return { target, suggested: dl.suggestedFilename() };
    };

    await page.goto(pageUrl);
    await check('the served page loads the schema from the server', async () => {
      await page.waitForSelector('#schema-source[data-served="true"]', { timeout: 15_000 });
      await present('root_displayName');
      const served = await (await fetch(`${url}schema.json`)).json();
      const printed = JSON.parse(emailprof(['schema']).stdout);
      assert.deepEqual(served, printed);
    });

    await check('platform support from x-emailprof-platforms is shown per setting', async () => {
      const annotation = schema.$defs.Account.properties.server['x-emailprof-platforms'];
      const ids = Object.keys(annotation);
      const shown = await page
        .locator('#root_account_server')
        .locator('xpath=ancestor::div[contains(@class,"form-group")][1]')
        .locator('.support li')
        .evaluateAll((lis) => lis.map((li) => li.dataset.platform));
      assert.deepEqual(shown, ids);
      if (annotation.ios) {
        const ios = page.locator('#root_account_server').locator('xpath=ancestor::div[contains(@class,"form-group")][1]').locator('.support li[data-platform="ios"]');
        assert.ok((await ios.getAttribute('class')).includes(`support-${annotation.ios.support}`));
      }
    });

    await check('an empty form is invalid and says why', async () => {
      await waitValid(false);
      assert.match(await page.locator('.findings').textContent(), /Display name|displayName/);
    });

    await check('user domain settings appear only with the sAM account name', async () => {
      await absent('root_account_username_domain_source');
      await select('root_account_username_source', 'UsernameSource', 'samAccountName');
      await present('root_account_username_domain_source');
      await present('root_account_username_domain_attribute');
      await absent('root_account_username_domain_name');
      await select('root_account_username_domain_source', 'DomainSource', 'custom');
      await present('root_account_username_domain_name');
      await absent('root_account_username_domain_attribute');
      await select('root_account_username_domain_source', 'DomainSource', 'directory');
      await absent('root_account_username_domain_name');
      await present('root_account_username_domain_attribute');
      await select('root_account_username_source', 'UsernameSource', 'userPrincipalName');
      await absent('root_account_username_domain_source');
      await absent('root_account_username_domain_attribute');
    });

    await check('S/MIME sub-settings appear only while S/MIME is on', async () => {
      await absent('root_smime_signing_enabled');
      await absent('root_smime_encryption_encryptByDefault');
      await setChecked('root_smime_enabled', true);
      await present('root_smime_signing_enabled');
      await present('root_smime_encryption_encryptByDefault');
      await absent('root_smime_signing_certificateType');
      await setChecked('root_smime_signing_enabled', true);
      await present('root_smime_signing_certificateType');
      await absent('root_smime_signing_certificate');
      await select('root_smime_signing_certificateType', 'CertificateType', 'certificate');
      await present('root_smime_signing_certificate');
      await absent('root_smime_encryption_encryptByDefaultUserCanChange');
      await setChecked('root_smime_encryption_encryptByDefault', true);
      await present('root_smime_encryption_encryptByDefaultUserCanChange');
      await setChecked('root_smime_enabled', false);
      await absent('root_smime_signing_enabled');
      await absent('root_smime_signing_certificate');
      await absent('root_smime_encryption_encryptByDefault');
      // What was filled in while S/MIME was on is dropped, not left to fail validation.
      await page.waitForTimeout(600);
      const findings = await page.evaluate(() => document.querySelector('.findings')?.textContent ?? '');
      assert.doesNotMatch(findings, /unevaluated|smime|signing|encryption/i);
    });

    await check('the identity certificate and OAuth URLs appear with their switches', async () => {
      await absent('root_account_authentication_identityCertificate');
      await select('root_account_authentication_method', 'AuthenticationMethod', 'certificate');
      await present('root_account_authentication_identityCertificate');
      await select('root_account_authentication_method', 'AuthenticationMethod', 'usernameAndPassword');
      await absent('root_account_authentication_identityCertificate');
      await absent('root_account_oauth_signInUrl');
      await setChecked('root_account_oauth_enabled', true);
      await present('root_account_oauth_signInUrl');
      await setChecked('root_account_oauth_enabled', false);
      await absent('root_account_oauth_signInUrl');
    });

    await check('fill the form for the Contoso example', async () => {
      const c = contoso;
      await fill('root_displayName', c.displayName);
      await fill('root_identifier', c.identifier);
      await fill('root_organization', c.organization);
      await fill('root_description', c.description);
      await fill('root_account_server', c.account.server);
      await fill('root_account_accountName', c.account.accountName);
      await select('root_account_username_source', 'UsernameSource', c.account.username.source);
      await select('root_account_username_domain_source', 'DomainSource', c.account.username.domain.source);
      await select('root_account_username_domain_attribute', 'DomainAttribute', c.account.username.domain.attribute);
      await select('root_account_emailAddressSource', 'EmailAddressSource', c.account.emailAddressSource);
      await select('root_account_authentication_method', 'AuthenticationMethod', c.account.authentication.method);
      await fill('root_account_authentication_identityCertificate', c.account.authentication.identityCertificate);
      await setChecked('root_account_ssl', c.account.ssl);
      await setChecked('root_account_oauth_enabled', c.account.oauth.enabled);
      await fill('root_account_oauth_signInUrl', c.account.oauth.signInUrl);
      await fill('root_account_oauth_tokenRequestUrl', c.account.oauth.tokenRequestUrl);

      const services = schema.$defs.Service.oneOf.map((m) => m.const);
      for (const [i, s] of services.entries()) {
        await setChecked(`root_sync_services-${i}`, c.sync.services.includes(s));
      }
      await setChecked('root_sync_userCanChange', c.sync.userCanChange);
      await select('root_sync_emailSyncDuration', 'EmailSyncDuration', c.sync.emailSyncDuration);

      const { signing, encryption } = c.smime;
      await setChecked('root_smime_enabled', c.smime.enabled);
      await setChecked('root_smime_signing_enabled', signing.enabled);
      await setChecked('root_smime_signing_userCanChange', signing.userCanChange);
      await select('root_smime_signing_certificateType', 'CertificateType', signing.certificateType);
      await fill('root_smime_signing_certificate', signing.certificate);
      await setChecked('root_smime_signing_certificateUserCanChange', signing.certificateUserCanChange);
      await setChecked('root_smime_encryption_encryptByDefault', encryption.encryptByDefault);
      await setChecked('root_smime_encryption_encryptByDefaultUserCanChange', encryption.encryptByDefaultUserCanChange);
      await setChecked('root_smime_encryption_perMessageSwitch', encryption.perMessageSwitch);
      await select('root_smime_encryption_certificateType', 'CertificateType', encryption.certificateType);
      await fill('root_smime_encryption_certificate', encryption.certificate);
      await setChecked('root_smime_encryption_certificateUserCanChange', encryption.certificateUserCanChange);

      await setChecked('root_mail_allowMove', c.mail.allowMove);
      await setChecked('root_mail_allowThirdPartySend', c.mail.allowThirdPartySend);
      await setChecked('root_mail_syncRecentAddresses', c.mail.syncRecentAddresses);

      // Certificates: a map; each entry is added, renamed, and filled per its kind.
      for (const [name, cert] of Object.entries(c.certificates)) {
        await $('root_certificates__add').click();
        await $('root_certificates_newKey-key').fill(name);
        await $('root_certificates_newKey-key').blur();
        const p = `root_certificates_${name}`;
        await page.waitForSelector(`#${p}_kind`);
        await select(`${p}_kind`, 'CertificateKind', cert.kind);
        if (cert.displayName) await fill(`${p}_displayName`, cert.displayName);
        if (cert.graphId) await fill(`${p}_graphId`, cert.graphId);
        for (const kind of ['pkcs12', 'scep', 'ca']) {
          if (kind === cert.kind) await present(`${p}_${kind}`);
          else await absent(`${p}_${kind}`);
        }
        if (cert.kind === 'scep') {
          const s = cert.scep;
          await fill(`${p}_scep_url`, s.url);
          await fill(`${p}_scep_name`, s.name);
          await fill(`${p}_scep_subject`, s.subject);
          await setChecked(`${p}_scep_subjectAltNameEmail`, s.subjectAltNameEmail);
          await select(`${p}_scep_keySize`, 'KeySize', s.keySize);
          await select(`${p}_scep_keyUsage`, 'KeyUsage', s.keyUsage);
        } else if (cert.kind === 'pkcs12') {
          await fill(`${p}_pkcs12_file`, cert.pkcs12.file);
          await fill(`${p}_pkcs12_passphrase_env`, cert.pkcs12.passphrase.env);
        } else if (cert.kind === 'ca') {
          await fill(`${p}_ca_file`, cert.ca.file);
        }
      }

      const { ios, windows, android } = c.platforms;
      await fill('root_platforms_ios_minimumOsVersion', ios.minimumOsVersion);
      await fill('root_platforms_ios_perAccountVpnUuid', ios.perAccountVpnUuid);
      await setChecked('root_platforms_ios_allowMailDrop', ios.allowMailDrop);
      await select('root_platforms_windows_syncSchedule', 'SyncSchedule', windows.syncSchedule);
      await select('root_platforms_android_app', 'AndroidApp', android.app);
      await waitValid(true);
    });

    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(artifacts, 'form.png'), fullPage: true });
    log(`screenshot: ${path.relative(root, path.join(artifacts, 'form.png'))}`);

    let yamlFile;
    let jsonFile;
    await check('download the profile as YAML and JSON', async () => {
      const y = await downloadFrom('download-yaml', 'profile.yaml');
      const j = await downloadFrom('download-json', 'profile.json');
      assert.equal(y.suggested, `${contoso.identifier}.yaml`);
      assert.equal(j.suggested, `${contoso.identifier}.json`);
      yamlFile = y.target;
      jsonFile = j.target;
      const fromYaml = YAML.parse(readFileSync(yamlFile, 'utf8'));
      const fromJson = JSON.parse(readFileSync(jsonFile, 'utf8'));
      assert.deepEqual(fromYaml, fromJson);
      // Every value of the example is in the download (which also spells out defaults).
      assertContains(fromJson, contoso);
    });

    await check('emailprof validate accepts both downloads', () => {
      const r = emailprof(['validate', '--strict', yamlFile, jsonFile]);
      assert.equal(r.status, 0, r.stderr);
    });

    await check('emailprof diff finds no difference from examples/contoso.yaml', () => {
      for (const f of [yamlFile, jsonFile]) {
        const r = emailprof(['diff', 'examples/contoso.yaml', f]);
        assert.equal(r.status, 0, `${f}: ${r.stdout}${r.stderr}`);
      }
    });

    await check('the .mobileconfig downloaded through the page equals `emailprof emit`', async () => {
      const options = await $('emit-platform').locator('option').evaluateAll((os) => os.map((o) => o.value));
      assert.ok(options.includes('ios'), `the server offers the ios platform (offers: ${options.join(', ')})`);
      await $('emit-platform').selectOption('ios');
      await fill('emit-user', 'user1');
      const { target, suggested } = await downloadFrom('emit', 'page.mobileconfig');
      assert.equal(suggested, `${contoso.identifier}.mobileconfig`);
      const fromPage = readFileSync(target);
      // The server's default directory is the example directory; the CLI is told it.
      const cli = emailprof(['emit', jsonFile, '--platform', 'ios', '--user', 'user1', '--directory', 'examples/directory.csv'], { encoding: 'buffer' });
      assert.equal(cli.status, 0, String(cli.stderr));
      assert.ok(fromPage.equals(cli.stdout), 'page and CLI artifacts differ');
      // The same bytes as from the example itself: the form lost nothing iOS expresses.
      const fromExample = emailprof(['emit', 'examples/contoso.yaml', '--platform', 'ios', '--user', 'user1', '--directory', 'examples/directory.csv'], { encoding: 'buffer' });
      assert.equal(fromExample.status, 0, String(fromExample.stderr));
      assert.ok(fromPage.equals(fromExample.stdout), 'the form did not reproduce examples/contoso.yaml for iOS');
      assert.match(fromPage.toString('utf8'), /<string>com\.apple\.eas\.account<\/string>/);
      assert.match(await $('emit-result').textContent(), /Downloaded/);
    });

    await check('an emit error is shown on the page', async () => {
      await fill('emit-user', 'no-such-user');
      await $('emit').click();
      await page.waitForSelector('#emit-result.emit-error');
      assert.match(await $('emit-result').textContent(), /no-such-user/);
      await fill('emit-user', 'user1');
    });

    await check('the load feature reads a YAML profile into the form', async () => {
      await $('open-file').setInputFiles(path.join(root, 'examples/minimal.yaml'));
      await page.waitForSelector('#message.message-ok');
      assert.equal(await $('root_identifier').inputValue(), 'com.contoso.email.minimal');
      await absent('root_smime_signing_enabled');
      await absent('root_certificates_smime_kind');
      await waitValid(true);
      const { target } = await downloadFrom('download-yaml', 'minimal.yaml');
      const r = emailprof(['diff', 'examples/minimal.yaml', target]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    await check('opened from disk, the page works without a server', async () => {
      const offline = await context.newPage();
      offline.on('pageerror', (e) => pageErrors.push(`offline: ${e.message}`));
      await offline.goto(pathToFileURL(path.join(web, 'dist/index.html')).href);
      await offline.waitForSelector('#schema-source[data-served="false"]', { timeout: 15_000 });
      assert.equal(await offline.locator('#emit').count(), 0);
      await offline.locator('#root_displayName').fill('Offline');
      await offline.locator('#root_identifier').fill('com.contoso.offline');
      await offline.locator('#root_account_server').fill('mail.contoso.com');
      await offline.locator('#root_account_accountName').fill('Mail');
      await offline.waitForSelector('#status[data-valid="true"]');
      const [dl] = await Promise.all([offline.waitForEvent('download'), offline.locator('#download-json').click()]);
      const target = path.join(work, 'offline.json');
      await dl.saveAs(target);
      const r = emailprof(['validate', '--strict', target]);
      assert.equal(r.status, 0, r.stderr);
      await offline.close();
    });

    await check('no script errors on the page', () => {
      assert.deepEqual(pageErrors, []);
    });
  } finally {
    await context.close().catch(() => {});
    server.kill();
    rmSync(userData, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  log(`form.e2e.mjs: ${passed} checks ok, ${failed} failed`);
  if (failed > 0) {
    log(`failed: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  log(`FAILED - ${e?.stack ?? e}`);
  process.exitCode = 1;
});
