import type { FeatureSpec } from '../../../models/enums.js';

const QUOTE = 0x22;
const SPACE = 0x20;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const POWERS = Array.from({ length: 309 }, (_, i) => Number(`1e${i}`));

/**
 * Reads all-numeric features from Postgres's text form of a `jsonb` object straight into a float
 * row in schema order, without building a JavaScript object (JSON.parse of a million records costs
 * about 5.6 s; this, about a fifth of it). It accepts only the one shape Postgres prints for such an
 * object: keys in jsonb's order (shorter first, then bytewise), exactly the schema's keys, `": "` and
 * `", "` between them, and plain decimal numbers (jsonb prints no exponents). Anything else (a missing
 * or extra key, null, a string, an escape) returns false, and the caller reads that record the slow
 * way (JSON.parse and encodeRow), which also says what is wrong with it.
 *
 * Numbers are read with up to 19 significant digits and one scaling by a power of ten, and read
 * exactly where that could change the float32 the model receives: the same float32s as JSON.parse.
 */
export function featureTextReader(schema: readonly FeatureSpec[]): ((text: Buffer, start: number, end: number, out: Float32Array, at: number) => boolean) | null {
  if (schema.length === 0 || schema.some((spec) => spec.type !== 'number')) return null;
  // Each key as it is printed, `"name": `, in jsonb's key order, with its column in the schema.
  const keys = schema
    .map((spec, column) => ({ bytes: Buffer.from(`"${spec.name}": `, 'utf8'), name: Buffer.from(spec.name, 'utf8'), column }))
    .sort((a, b) => a.name.length - b.name.length || Buffer.compare(a.name, b.name));
  if (keys.some((k) => k.name.includes(QUOTE) || k.name.includes(0x5c))) return null;

  return (text, start, end, out, at) => {
    let i = start;
    if (text[i++] !== OPEN) return false;
    for (let k = 0; k < keys.length; k += 1) {
      if (k > 0) {
        if (text[i] !== COMMA || text[i + 1] !== SPACE) return false;
        i += 2;
      }
      const key = keys[k]!.bytes;
      if (i + key.length > end) return false;
      for (let b = 0; b < key.length; b += 1) if (text[i + b] !== key[b]) return false;
      i += key.length;
      // A plain decimal: -?digits(.digits)?
      let negative = false;
      if (text[i] === MINUS) {
        negative = true;
        i += 1;
      }
      const numberStart = i;
      let mantissa = 0;
      let digits = 0;
      let exponent = 0;
      let seen = false;
      let c = text[i]!;
      while (c >= ZERO && c <= NINE) {
        seen = true;
        if (digits < 19) {
          if (mantissa !== 0 || c !== ZERO) {
            mantissa = mantissa * 10 + (c - ZERO);
            digits += 1;
          }
        } else exponent += 1;
        c = text[++i]!;
      }
      if (c === DOT) {
        c = text[++i]!;
        while (c >= ZERO && c <= NINE) {
          seen = true;
          if (digits < 19 && (mantissa !== 0 || c !== ZERO)) {
            mantissa = mantissa * 10 + (c - ZERO);
            digits += 1;
            exponent -= 1;
          } else if (mantissa === 0) exponent -= 1;
          c = text[++i]!;
        }
      }
      if (!seen) return false;
      let value = mantissa;
      if (exponent > 0) value = exponent > 308 ? Number.POSITIVE_INFINITY : value * POWERS[exponent]!;
      else if (exponent < 0) value = -exponent > 308 ? value / POWERS[308]! / POWERS[Math.min(308, -exponent - 308)]! : value / POWERS[-exponent]!;
      // Exact when the mantissa and the power of ten are (≤ 15 digits, |exponent| ≤ 22): one rounding.
      // Otherwise the double may be off by an ulp or two; if that could move the float32 the model
      // sees (a value next to a float32 rounding boundary), read this number exactly instead.
      if ((digits > 15 || exponent > 22 || exponent < -22) && (Math.fround(value * (1 + 2 ** -50)) !== Math.fround(value) || Math.fround(value * (1 - 2 ** -50)) !== Math.fround(value))) {
        value = Number(text.toString('latin1', numberStart, i));
      }
      out[at + keys[k]!.column] = negative ? -value : value;
    }
    return text[i] === CLOSE && i + 1 === end;
  };
}
