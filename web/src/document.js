// The profile document: what the form holds, turned into the YAML or JSON file that
// `emailprof validate` reads, and back.
import YAML from 'yaml';
import { uiSchema } from './ui-schema.js';

/** Keys in the order of the form (`ui:order`), the rest after them in their own order. */
function orderedKeys(obj, ui) {
  const keys = Object.keys(obj);
  const order = Array.isArray(ui?.['ui:order']) ? ui['ui:order'] : null;
  if (!order) return keys;
  const known = order.filter((k) => k !== '*' && keys.includes(k));
  const rest = keys.filter((k) => !known.includes(k));
  const star = order.indexOf('*');
  if (star === -1) return [...known, ...rest];
  const before = order.slice(0, star).filter((k) => keys.includes(k));
  const after = order.slice(star + 1).filter((k) => keys.includes(k));
  return [...before, ...rest, ...after];
}

/**
 * The document to write: values the form holds, without `undefined` members (cleared inputs)
 * and with keys in form order, so a download reads like the examples.
 */
export function toDocument(value, ui = uiSchema) {
  if (Array.isArray(value)) {
    return value.filter((v) => v !== undefined).map((v) => toDocument(v, ui?.items));
  }
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of orderedKeys(value, ui)) {
      const v = value[key];
      if (v === undefined) continue;
      const childUi = ui?.[key] ?? ui?.additionalProperties;
      out[key] = toDocument(v, childUi);
    }
    return out;
  }
  return value;
}

/**
 * YAML text of a document. YAML 1.1 rules for quoting, so strings such as `no`, `on` or
 * `14.0` are quoted and read back as strings by YAML 1.1 and 1.2 parsers alike.
 */
export function toYaml(doc) {
  const text = YAML.stringify(doc, { version: '1.1', lineWidth: 0, indent: 2 });
  return `# Exchange ActiveSync email profile, written by the emailprof form.\n${text}`;
}

export function toJson(doc) {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Parse a loaded YAML or JSON file into a document; throws with a readable message. */
export function parseProfile(text, fileName) {
  const isJson = /\.json$/i.test(fileName);
  let value;
  if (isJson) {
    value = JSON.parse(text);
  } else {
    const doc = YAML.parseDocument(text, { version: '1.2', prettyErrors: true });
    if (doc.errors.length > 0) throw new Error(doc.errors[0].message);
    value = doc.toJS();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('the file does not hold a profile (a mapping at the top level)');
  }
  return value;
}

/** A file name made only of safe characters. */
export function safeFileName(name, fallback) {
  const cleaned = String(name ?? '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return cleaned.length > 0 ? cleaned : fallback;
}

/** Offer `data` (a string or Blob) as a file download. */
export function download(data, fileName, mediaType) {
  const blob = data instanceof Blob ? data : new Blob([data], { type: mediaType });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The `filename` of a Content-Disposition header. */
export function dispositionFileName(header) {
  const m = /filename="([^"]+)"/.exec(header ?? '');
  return m ? m[1] : null;
}
