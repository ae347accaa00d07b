import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type GraphProto, type NodeProto, type TensorProto } from 'onnx-buf';
import { ModelVersion } from '../../../models/index.js';
import type { Vocabulary } from './tfidf.js';

export type { Vocabulary };

/** Versions never change (a trigger refuses it), so a vocabulary read once is right for good; keep a few. */
const CACHE_LIMIT = 32;
const cache = new Map<number, Promise<Vocabulary | null>>();

/**
 * The words and idf weights a text version was trained with, read from its ONNX graph: the
 * TfIdfVectorizer's `pool_strings` (1-grams, in column order by `ngram_indexes`) and the `idf`
 * constant the graph multiplies by (export-text-onnx.ts), or the vectorizer's own `weights` when an
 * uploaded model keeps them there (scikit-learn's export); idf 1 when neither is present. `null` for
 * a version without a TfIdfVectorizer (tabular, or a text model that does not expose its words) or a
 * version that does not exist. Cached per version id.
 */
export function versionVocabulary(versionId: number): Promise<Vocabulary | null> {
  const cached = cache.get(versionId);
  if (cached) return cached;
  const loading = readVocabulary(versionId);
  // A failed read (the database down) must not stay cached.
  loading.catch(() => cache.delete(versionId));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(versionId, loading);
  return loading;
}

async function readVocabulary(versionId: number): Promise<Vocabulary | null> {
  const version = await ModelVersion.unscoped().findByPk(versionId, { attributes: ['id', 'onnx'] });
  if (!version) return null;
  return vocabularyOfOnnx(version.onnx);
}

/** The vocabulary held by an ONNX text pipeline (see versionVocabulary), or null. */
export function vocabularyOfOnnx(bytes: Uint8Array): Vocabulary | null {
  let graph: GraphProto | undefined;
  try {
    graph = fromBinary(ModelProtoSchema, bytes).graph;
  } catch {
    return null;
  }
  const vectorizer = graph?.node.find((n) => n.opType === 'TfIdfVectorizer');
  if (!graph || !vectorizer) return null;
  const pool = attribute(vectorizer, 'pool_strings')?.strings.map((s) => utf8.decode(s)) ?? [];
  const columns = attribute(vectorizer, 'ngram_indexes')?.ints.map(Number) ?? [];
  const counts = attribute(vectorizer, 'ngram_counts')?.ints.map(Number) ?? [0];
  // pool_strings lists 1-grams first; ngram_counts[1] (when there are 2-grams) is where they end.
  const unigrams = counts.length > 1 ? counts[1]! : pool.length;
  const width = Math.max(0, ...columns.slice(0, unigrams).map((c) => c + 1));
  if (unigrams === 0 || width === 0) return null;
  const words = new Array<string>(width).fill('');
  for (let i = 0; i < unigrams; i += 1) words[columns[i] ?? i] = pool[i]!;
  const idf = idfOf(graph, vectorizer, width);
  return { words, index: new Map(words.map((w, i) => [w, i])), idf };
}

function idfOf(graph: GraphProto, vectorizer: NodeProto, width: number): Float64Array {
  const weights = attribute(vectorizer, 'weights')?.floats;
  if (weights && weights.length >= width) return Float64Array.from(weights.slice(0, width));
  // export-text-onnx.ts names the constant from the hint "idf": idf_<n>, a float vector of the vocabulary's width.
  const tensor = graph.initializer.find(
    (t) => /^idf(_\d+)?$/.test(t.name) && t.dims.length === 1 && Number(t.dims[0]) === width,
  );
  const values = tensor ? floatsOf(tensor) : null;
  return values && values.length === width ? Float64Array.from(values) : new Float64Array(width).fill(1);
}

function floatsOf(tensor: TensorProto): ArrayLike<number> | null {
  if (tensor.floatData.length > 0) return tensor.floatData;
  if (tensor.rawData.length === 0 || tensor.rawData.length % 4 !== 0) return null;
  // Raw tensor data is little-endian (ONNX's rule); copy it so the view is aligned.
  const raw = tensor.rawData.slice();
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

function attribute(node: NodeProto, name: string) {
  return node.attribute.find((a) => a.name === name);
}

const utf8 = new TextDecoder();
