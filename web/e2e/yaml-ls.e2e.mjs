// The editor check: the real YAML language server (npm `yaml-language-server`, as VS Code's
// YAML extension, Neovim and Helix run it), spoken to over stdio like an editor does, with the
// profile schema mapped through `yaml.schemas`. It must report nothing on the examples and flag
// a typo'd key and a wrong enum value.
//
// Run from the repository root or web/: `node web/e2e/yaml-ls.e2e.mjs` (after `npm ci` in web/).
// Exits non-zero with the reasons on failure. The Rust test `editor_schema_end_to_end` (xtask)
// runs it when EMAILPROF_E2E=1.

import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(web);
const server = join(web, 'node_modules/yaml-language-server/bin/yaml-language-server');
const uri = (p) => pathToFileURL(p).href;

/** A minimal LSP client over the server's stdio: JSON-RPC with Content-Length framing. */
class Client {
  constructor(settings) {
    this.settings = settings;
    this.nextId = 1;
    this.pending = new Map();
    this.diagnostics = new Map();
    this.lastPublish = Date.now();
    this.stderr = '';
    this.proc = spawn(process.execPath, [server, '--stdio'], { cwd: web, stdio: 'pipe' });
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
    let buffer = Buffer.alloc(0);
    this.proc.stdout.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
        if (buffer.length < end + 4 + length) return;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        buffer = buffer.subarray(end + 4 + length);
        this.receive(JSON.parse(body));
      }
    });
  }

  send(message) {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    this.send({ id, method, params });
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method, params) {
    this.send({ method, params });
  }

  receive(msg) {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.code}: ${msg.error.message}`));
      else p?.resolve(msg.result);
      return;
    }
    // Requests from the server: answer the ones an editor answers.
    if (msg.id !== undefined) {
      let result = null;
      if (msg.method === 'workspace/configuration') {
        result = msg.params.items.map((item) => (item.section === 'yaml' ? this.settings : null));
      }
      this.send({ id: msg.id, result });
      return;
    }
    if (msg.method === 'textDocument/publishDiagnostics') {
      this.diagnostics.set(msg.params.uri, msg.params.diagnostics);
      this.lastPublish = Date.now();
    }
  }

  /** Wait until every one of `docs` has diagnostics and the server has been quiet a while. */
  async settle(docs) {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const all = docs.every((d) => this.diagnostics.has(d.uri));
      if (all && Date.now() - this.lastPublish > 1000) return;
    }
    throw new Error('the server published no diagnostics within 60 s');
  }

  /**
   * Open `docs` ({uri, text}) and return their diagnostics and the schema each was matched to.
   * The diagnostics are those of a change made once the schema association is known, so a
   * validation that ran before the configuration arrived cannot pass for a clean result.
   */
  async diagnose(docs) {
    for (const { uri, text } of docs) {
      this.diagnostics.delete(uri);
      this.notify('textDocument/didOpen', {
        textDocument: { uri, languageId: 'yaml', version: 1, text },
      });
    }
    await this.settle(docs);
    const schemas = [];
    for (const { uri } of docs) {
      const found = await this.request('yaml/get/jsonSchema', uri);
      schemas.push((found ?? []).map((s) => s.uri));
    }
    for (const { uri, text } of docs) {
      this.diagnostics.delete(uri);
      this.notify('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ text }],
      });
    }
    await this.settle(docs);
    for (const { uri } of docs) this.notify('textDocument/didClose', { textDocument: { uri } });
    return docs.map((d, i) => ({ diagnostics: this.diagnostics.get(d.uri), schemas: schemas[i] }));
  }

  async start() {
    await this.request('initialize', {
      processId: process.pid,
      rootUri: uri(root),
      workspaceFolders: [{ uri: uri(root), name: 'emailprof' }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
        textDocument: { publishDiagnostics: {} },
      },
    });
    this.notify('initialized', {});
    this.notify('workspace/didChangeConfiguration', { settings: { yaml: this.settings } });
  }

  async stop() {
    await this.request('shutdown', null);
    this.notify('exit', null);
    await this.exited;
  }
}

const failures = [];
const show = (ds) =>
  ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join('\n    ');

// The examples, and a profile with a typo'd key (in an object with conditional fields, where
// only `additionalProperties: false` in the draft-07 form catches it) and a wrong enum value.
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: `examples/${f}`, path: join(root, 'examples', f) }));
if (examples.length < 3) failures.push(`only ${examples.length} examples found`);
const faulty = [
  'displayName: Contoso Exchange',
  'identifier: com.contoso.email.faulty',
  'account:',
  '  server: outlook.office365.com',
  '  accountName: Contoso mail',
  '  username:',
  '    source: samAccountName',
  '    domian:', // line 8: the typo (for `domain`)
  '      source: custom',
  '      name: CONTOSO',
  '  authentication:',
  '    method: kerberos', // line 12: not an authentication method
  '',
].join('\n');
const faultyChecks = [
  { line: 8, what: 'the typo `domian`', pattern: /domian/ },
  { line: 12, what: 'the wrong enum value `kerberos`', pattern: /./ },
];

/**
 * One run: `schemaFile` mapped by `yaml.schemas` to the profile globs (`modeline` false: the
 * examples' own `# yaml-language-server: $schema=` line is blanked so the mapping applies), or
 * each document's modeline naming it (`modeline` true, as the examples are committed).
 */
async function run(label, schemaFile, modeline) {
  const settings = {
    validate: true,
    hover: true,
    completion: true,
    schemaStore: { enable: false },
    schemas: modeline ? {} : { [uri(join(root, schemaFile))]: ['examples/*.yaml', '*.emailprof.yaml'] },
  };
  const client = new Client(settings);
  try {
    await client.start();
    const docs = examples.map(({ name, path }) => {
      let text = readFileSync(path, 'utf8');
      const line = text.split('\n')[0];
      if (!/^# yaml-language-server: \$schema=\.\.\/schemas\/email-profile\.schema\.json$/.test(line)) {
        failures.push(`${label}: ${name} does not start with the schema modeline`);
      }
      if (modeline) text = text.replace(line, `# yaml-language-server: $schema=../${schemaFile}`);
      else text = text.replace(line, '#');
      return { name, uri: uri(path), text };
    });
    const faultyText = modeline
      ? `# yaml-language-server: $schema=../../${schemaFile}\n${faulty}`
      : `#\n${faulty}`;
    docs.push({
      name: 'faulty profile',
      uri: uri(join(root, 'target/e2e/faulty.emailprof.yaml')),
      text: faultyText,
    });
    const results = await client.diagnose(docs);
    const expected = uri(join(root, schemaFile));
    for (const [i, doc] of docs.entries()) {
      const ds = results[i].diagnostics ?? [];
      const schemas = results[i].schemas;
      if (schemas.length !== 1 || schemas[0] !== expected) {
        failures.push(`${label}: ${doc.name} is checked against ${JSON.stringify(schemas)}, not ${expected}`);
        continue;
      }
      if (doc.name !== 'faulty profile') {
        if (ds.length > 0) failures.push(`${label}: ${doc.name} has diagnostics:\n    ${show(ds)}`);
        else console.log(`ok   ${label}: ${doc.name}: no diagnostics`);
        continue;
      }
      for (const check of faultyChecks) {
        // The document's first line is the modeline or its blank stand-in, so the 1-based line
        // of `faulty` is the 0-based line of the document.
        const hit = ds.find((d) => d.range.start.line === check.line && check.pattern.test(d.message));
        if (hit) console.log(`ok   ${label}: ${check.what} flagged: ${hit.message}`);
        else failures.push(`${label}: ${check.what} not flagged; diagnostics:\n    ${show(ds)}`);
      }
    }
  } finally {
    await client.stop().catch(() => client.proc.kill());
  }
  if (client.stderr.trim()) console.log(`(${label}: server stderr)\n${client.stderr.trim()}`);
}

await run('draft-07 via yaml.schemas', 'schemas/email-profile.draft-07.schema.json', false);
await run('2020-12 via modeline', 'schemas/email-profile.schema.json', true);

if (failures.length > 0) {
  console.error(`FAILED:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('yaml-language-server: all checks passed');
