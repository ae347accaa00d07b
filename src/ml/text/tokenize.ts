/**
 * Text → tokens, exactly as the exported ONNX graph does it: lower-case (StringNormalizer), then every
 * maximal run of ASCII letters and digits (com.microsoft Tokenizer with this pattern). Keeping the
 * pattern ASCII keeps the two in step: locale-dependent lower-casing of other scripts cannot create
 * or split a token.
 */
export const TOKEN_PATTERN = '[a-z0-9]+';
const TOKEN = new RegExp(TOKEN_PATTERN, 'g');

export function tokenize(text: string): string[] {
  // ONNX lower-cases with towlower (Unicode simple case mapping); JavaScript's toLowerCase uses the full
  // mapping, which differs for one code point that matters here: U+0130 'İ' becomes "i̇" (two code
  // points, splitting the word) instead of 'i'.
  return text.replaceAll('\u0130', 'i').toLowerCase().match(TOKEN) ?? [];
}
