import { seededRandom } from '../ml/seeded-random.js';

const NEUTRAL = (
  'the a an of to in for on with at by from about as into like through after over between out against during without before under around among ' +
  'order account invoice meeting project report team update customer product service delivery price offer support ticket request review week month'
).split(' ');
const WORDS: Record<string, string[]> = {
  complaint:
    'broken late refund damaged wrong missing angry cancel disappointed terrible slow error failed charge dispute'.split(
      ' ',
    ),
  praise:
    'great thanks excellent fast helpful love perfect smooth happy recommend quick friendly reliable impressed wonderful'.split(
      ' ',
    ),
  question:
    'how when where which could would please explain help whether possible clarify details information confirm'.split(
      ' ',
    ),
};

/**
 * Synthetic support messages, one row at a time: each label has its own cue words mixed with common
 * ones, and 10% of rows carry the cues of another label (so no model is perfect). Deterministic.
 */
export function syntheticTextStream(seed = 11) {
  const random = seededRandom(seed);
  const labels = Object.keys(WORDS);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const next = () => {
    const label = pick(labels);
    const cues = WORDS[random() < 0.1 ? pick(labels) : label]!;
    const length = 8 + Math.floor(random() * 20);
    const words = Array.from({ length }, () => (random() < 0.3 ? pick(cues) : pick(NEUTRAL)));
    return { text: words.join(' '), label };
  };
  return { labels, next };
}
