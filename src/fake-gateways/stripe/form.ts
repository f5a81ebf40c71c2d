/**
 * Stripe's v1 API takes `application/x-www-form-urlencoded` bodies (and GET query strings) with bracket notation,
 * the way the official SDK writes them: `metadata[backroom_payment_id]=pay_1`, `expand[0]=latest_charge`,
 * `created[gte]=1700000000`. This turns them into nested values; objects whose keys are all indexes become arrays.
 * The fake's own control endpoints also accept JSON, so a test can post `{ "outcome": "fail" }`.
 */

export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Parses a form body or query string (`URLSearchParams` already decodes `%5B` and `+`). */
export function parseForm(input: string | URLSearchParams): FormObject {
  const params = typeof input === 'string' ? new URLSearchParams(input) : input;
  const root: FormObject = {};
  for (const [key, value] of params) {
    const path = splitKey(key);
    if (!path) continue;
    let node: FormObject = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
        node = next;
      } else {
        const created: FormObject = {};
        node[part] = created;
        node = created;
      }
    });
  }
  return arraysFromIndexes(root) as FormObject;
}

/** `a[b][0]` → `['a', 'b', '0']`; null for keys that are not well-formed (ignored, as Stripe would reject them). */
function splitKey(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match?.[1]) return null;
  const rest = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  return [match[1], ...rest];
}

function arraysFromIndexes(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted: FormObject = {};
  for (const k of keys) converted[k] = arraysFromIndexes(value[k] as FormValue);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => converted[k] as FormValue);
  }
  return converted;
}

/** Form body, or JSON for the fake's control endpoints; JSON scalars become strings like form values. */
export function parseBody(rawBody: string, contentType: string | undefined): FormObject {
  if (!contentType?.includes('json')) return parseForm(rawBody);
  if (rawBody.trim() === '') return {};
  const parsed: unknown = JSON.parse(rawBody);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? toForm(parsed) : {};
}

function toForm(value: object): FormObject {
  const out: FormObject = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === 'object' && x !== null ? toForm(x) : String(x)));
    else out[k] = typeof v === 'object' ? toForm(v) : String(v);
  }
  return out;
}

/** A string field, or undefined when absent or not a scalar. */
export function str(form: FormObject, key: string): string | undefined {
  const v = form[key];
  return typeof v === 'string' ? v : undefined;
}

/** A flat string map (metadata); empty values are kept so updates can unset keys as Stripe does. */
export function record(form: FormObject, key: string): Record<string, string> | undefined {
  const v = form[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** A string list (`expand[0]=…`). */
export function list(form: FormObject, key: string): string[] {
  const v = form[key];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
