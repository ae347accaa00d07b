import ort from 'onnxruntime-node';

/** Runs an exported model with onnxruntime-node; returns its two plain-tensor outputs. */
export async function runOnnx(
  onnx: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<{ label: string[]; probabilities: Float32Array }> {
  const session = await ort.InferenceSession.create(onnx);
  try {
    const out = await session.run(feeds);
    return { label: Array.from(out.label!.data as string[]), probabilities: out.probabilities!.data as Float32Array };
  } finally {
    await session.release();
  }
}

export { ort };
