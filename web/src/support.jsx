// Platform support of a setting, from the schema's `x-emailprof-platforms` annotation, e.g.
// {"ios": {"support": "native", "since": "13.0"}, "windows": {"support": "unsupported", "note": "…"}}.
// An empty annotation (no emitter registered in the build that wrote the schema) shows nothing.

export const PLATFORMS_KEY = 'x-emailprof-platforms';

const SYMBOL = { native: '✓', partial: '≈', unsupported: '✕' };

export function supportEntries(annotation) {
  if (annotation === null || typeof annotation !== 'object' || Array.isArray(annotation)) return [];
  return Object.entries(annotation).filter(([, s]) => s && typeof s === 'object' && typeof s.support === 'string');
}

export function PlatformSupport({ annotation }) {
  const entries = supportEntries(annotation);
  if (entries.length === 0) return null;
  return (
    <ul className="support" aria-label="Platform support">
      {entries.map(([id, s]) => {
        const kind = SYMBOL[s.support] ? s.support : 'unknown';
        const since = typeof s.since === 'string' ? ` ${s.since}+` : '';
        const note = typeof s.note === 'string' ? s.note : '';
        return (
          <li key={id} className={`support-${kind}`} title={note || `${id}: ${s.support}${since}`} data-platform={id}>
            <span aria-hidden="true">{SYMBOL[kind] ?? '?'}</span> {id}
            {since}
            {kind === 'partial' || kind === 'unsupported' ? <span className="support-note">{note ? ` — ${note}` : ''}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** Whether any setting of the schema carries a non-empty annotation. */
export function schemaIsAnnotated(schema) {
  let found = false;
  const walk = (node) => {
    if (found || node === null || typeof node !== 'object') return;
    if (supportEntries(node[PLATFORMS_KEY]).length > 0) {
      found = true;
      return;
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(schema);
  return found;
}
