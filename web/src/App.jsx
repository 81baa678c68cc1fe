import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Form from '@rjsf/core';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';
import { uiSchema } from './ui-schema.js';
import { FieldTemplate, TitleFieldTemplate, translateString } from './templates.jsx';
import { schemaIsAnnotated } from './support.jsx';
import {
  dispositionFileName,
  download,
  parseProfile,
  safeFileName,
  toDocument,
  toJson,
  toYaml,
} from './document.js';

// Draft 2020-12: `unevaluatedProperties` and `if`/`then` are what hide and refuse settings whose
// condition is off, so the validator must be AJV's 2020 class.
const validator = customizeValidator({ AjvClass: Ajv2020 });

const templates = { FieldTemplate, TitleFieldTemplate };

/** Per-user variables of these MDMs can stand in for a user (`--placeholders`). */
const MDMS = [
  ['intune', 'Intune'],
  ['jamf', 'Jamf Pro'],
  ['workspace-one', 'Workspace ONE'],
  ['kandji', 'Kandji'],
  ['google', 'Google'],
];

/**
 * The schema: from `emailprof serve` (annotated with the running binary's emitters) when the
 * page is served, else the copy bundled at build time, so the page works opened from disk.
 */
async function loadSchema() {
  if (window.location.protocol === 'http:' || window.location.protocol === 'https:') {
    try {
      const r = await fetch('schema.json', { cache: 'no-store' });
      if (r.ok) {
        const schema = await r.json();
        let platforms = [];
        try {
          const p = await fetch('api/platforms', { cache: 'no-store' });
          if (p.ok) platforms = await p.json();
        } catch {
          // A static server without the API: filling and downloading still work.
        }
        return { schema: withoutId(schema), served: true, platforms };
      }
    } catch {
      // Fall through to the bundled schema.
    }
  }
  return { schema: withoutId(window.EMAILPROF_SCHEMA), served: false, platforms: [] };
}

/**
 * The schema without its `$id`: react-jsonschema-form's AJV validator registers a root schema
 * under its `$id` but points every `$ref` at its own key for the root, so with an `$id` the
 * conditions (`if`) that show and hide settings would fail to compile.
 */
function withoutId(schema) {
  if (!schema || typeof schema !== 'object' || !('$id' in schema)) return schema;
  const { $id: _id, ...rest } = schema;
  return rest;
}

function useDebounced(value, ms) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function Findings({ schemaErrors, serverFindings }) {
  if (schemaErrors.length === 0 && serverFindings.length === 0) return null;
  return (
    <section className="findings" aria-label="Problems">
      <ul>
        {schemaErrors.map((e, i) => (
          <li key={`s${i}`} className="finding-error">
            {e.stack}
          </li>
        ))}
        {serverFindings.map((f, i) => (
          <li key={`v${i}`} className={`finding-${f.severity}`}>
            <strong>{f.severity}</strong> <code>{f.pointer || '/'}</code>: {f.message}
            {f.expected ? <span className="expected"> (expected: {f.expected})</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EmitPanel({ platforms, doc, disabled }) {
  const [platform, setPlatform] = useState(platforms.find((p) => p.id === 'ios')?.id ?? platforms[0]?.id ?? '');
  const [user, setUser] = useState('user1');
  const [mdm, setMdm] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);

  const emit = async () => {
    setBusy(true);
    setResult(null);
    try {
      const params = new URLSearchParams({ platform });
      if (mdm) params.set('placeholders', mdm);
      else params.set('user', user);
      const r = await fetch(`api/emit?${params}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(doc),
      });
      if (r.ok) {
        const blob = await r.blob();
        const name = dispositionFileName(r.headers.get('Content-Disposition')) ?? `profile.${platform}`;
        download(blob, name, blob.type);
        let diagnostics = [];
        try {
          diagnostics = JSON.parse(r.headers.get('X-Emailprof-Diagnostics') ?? '[]');
        } catch {
          diagnostics = [];
        }
        setResult({ ok: true, name, diagnostics });
      } else {
        const body = await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }));
        setResult({ ok: false, error: body.error ?? `${r.status}`, findings: body.findings ?? [] });
      }
    } catch (e) {
      setResult({ ok: false, error: String(e), findings: [] });
    } finally {
      setBusy(false);
    }
  };

  if (platforms.length === 0) {
    return <section className="emit">This emailprof build has no platform emitters registered.</section>;
  }
  return (
    <section className="emit" aria-label="Emit">
      <h2>Native configuration</h2>
      <div className="emit-row">
        <label>
          Platform
          <select id="emit-platform" value={platform} onChange={(e) => setPlatform(e.target.value)}>
            {platforms.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          User ID
          <input
            id="emit-user"
            type="text"
            value={user}
            disabled={mdm !== ''}
            onChange={(e) => setUser(e.target.value)}
            spellCheck={false}
          />
        </label>
        <label>
          or MDM variables
          <select id="emit-mdm" value={mdm} onChange={(e) => setMdm(e.target.value)}>
            <option value="">— none —</option>
            {MDMS.map(([id, title]) => (
              <option key={id} value={id}>
                {title}
              </option>
            ))}
          </select>
        </label>
        <button id="emit" type="button" onClick={emit} disabled={disabled || busy || !platform}>
          Download {platform === 'ios' ? '.mobileconfig' : 'artifact'}
        </button>
      </div>
      {result?.ok ? (
        <div id="emit-result" className="emit-ok" data-file={result.name}>
          Downloaded {result.name}
          {result.diagnostics.length > 0 ? (
            <ul>
              {result.diagnostics.map((d, i) => (
                <li key={i} className={`finding-${d.severity}`}>
                  <strong>{d.severity}</strong> <code>{d.setting}</code>: {d.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {result && !result.ok ? (
        <div id="emit-result" className="emit-error" role="alert">
          {result.error}
          <ul>
            {result.findings.map((f, i) => (
              <li key={i}>
                <code>{f.pointer || '/'}</code>: {f.message}
                {f.expected ? ` (expected: ${f.expected})` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

export default function App() {
  const [loaded, setLoaded] = useState(null);
  const [formData, setFormData] = useState({});
  const [formKey, setFormKey] = useState(0);
  const [message, setMessage] = useState(null);
  const [serverFindings, setServerFindings] = useState([]);
  const fileInput = useRef(null);

  useEffect(() => {
    loadSchema().then(setLoaded);
  }, []);

  const schema = loaded?.schema;
  const doc = useMemo(() => toDocument(formData ?? {}), [formData]);
  const schemaErrors = useMemo(
    () => (schema ? validator.validateFormData(doc, schema).errors : []),
    [doc, schema],
  );

  // When served, the full check (`emailprof validate`: references between settings, secrets).
  const debouncedDoc = useDebounced(doc, 300);
  useEffect(() => {
    if (!loaded?.served) return undefined;
    const ctl = new AbortController();
    fetch('api/validate', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(debouncedDoc),
      signal: ctl.signal,
    })
      .then((r) => (r.ok ? r.json() : { findings: [] }))
      .then((body) => setServerFindings(body.findings ?? []))
      .catch(() => {});
    return () => ctl.abort();
  }, [debouncedDoc, loaded?.served]);

  const onChange = useCallback((e) => setFormData(e.formData), []);

  const onOpen = async (event) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    try {
      const value = parseProfile(await file.text(), file.name);
      setFormData(value);
      setFormKey((k) => k + 1);
      setMessage({ ok: true, text: `Loaded ${file.name}` });
    } catch (e) {
      setMessage({ ok: false, text: `${file.name}: ${e.message}` });
    }
  };

  if (!loaded) return <p className="loading">Loading the profile schema…</p>;
  if (!schema) return <p className="loading">No profile schema: the bundle is incomplete.</p>;

  const serverErrors = serverFindings.filter((f) => f.severity === 'error');
  const valid = schemaErrors.length === 0 && serverErrors.length === 0;
  const baseName = safeFileName(doc.identifier, 'email-profile');
  const problems = schemaErrors.length + serverErrors.length;

  return (
    <div className="app">
      <header>
        <h1>{schema.title ?? 'Email profile'}</h1>
        <p className="source" id="schema-source" data-served={loaded.served ? 'true' : 'false'}>
          {loaded.served
            ? 'Schema and checks from emailprof serve.'
            : 'Offline: bundled schema; checks limited to the schema.'}{' '}
          {schemaIsAnnotated(schema)
            ? 'Each setting shows its platform support (✓ native, ≈ partial, ✕ not expressible).'
            : 'This schema carries no platform-support annotations.'}
        </p>
      </header>
      <div className="toolbar">
        <button type="button" id="open" onClick={() => fileInput.current?.click()}>
          Open YAML/JSON…
        </button>
        <input
          ref={fileInput}
          id="open-file"
          type="file"
          accept=".yaml,.yml,.json,application/json,application/yaml"
          hidden
          onChange={onOpen}
        />
        <button type="button" id="download-yaml" onClick={() => download(toYaml(doc), `${baseName}.yaml`, 'application/yaml')}>
          Download YAML
        </button>
        <button type="button" id="download-json" onClick={() => download(toJson(doc), `${baseName}.json`, 'application/json')}>
          Download JSON
        </button>
        <span id="status" className={valid ? 'status-ok' : 'status-bad'} data-valid={valid ? 'true' : 'false'}>
          {valid ? '✓ Valid profile' : `${problems} problem${problems === 1 ? '' : 's'}`}
        </span>
        {message ? (
          <span id="message" className={message.ok ? 'message-ok' : 'message-bad'}>
            {message.text}
          </span>
        ) : null}
      </div>
      <Findings schemaErrors={schemaErrors} serverFindings={serverFindings} />
      {loaded.served ? <EmitPanel platforms={loaded.platforms} doc={doc} disabled={!valid} /> : null}
      <Form
        key={formKey}
        schema={schema}
        uiSchema={uiSchema}
        formData={formData}
        validator={validator}
        templates={templates}
        translateString={translateString}
        onChange={onChange}
        liveValidate="onChange"
        omitExtraData
        liveOmit="onChange"
        showErrorList={false}
        noHtml5Validate
        idPrefix="root"
      />
    </div>
  );
}
