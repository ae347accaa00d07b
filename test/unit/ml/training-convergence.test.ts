import assert from 'node:assert/strict';
import { notConvergedWarning, unconvergedFit } from '../../../src/ml/training-convergence.js';

describe('what a version says about a fit that did not converge', () => {
  it('reads metrics.training.converged === false only; versions without metrics.training count as converged', () => {
    const training = { solver: 'lbfgs', iterations: 200, maxIterations: 200, converged: false, gradientNorm: 0.3 };
    assert.deepEqual(unconvergedFit({ accuracy: 0.9, training }), {
      iterations: 200,
      maxIterations: 200,
      gradientNorm: 0.3,
    });
    assert.equal(unconvergedFit({ accuracy: 0.9, training: { ...training, converged: true } }), null);
    assert.equal(unconvergedFit({ accuracy: 0.9 }), null, 'an uploaded ONNX version');
    assert.equal(unconvergedFit(null), null);
  });

  it('says where the fit stopped and what to do', () => {
    assert.equal(
      notConvergedWarning({ iterations: 200, maxIterations: 200, gradientNorm: 0.3 }),
      'The fit stopped at the iteration cap (200 of 200 iterations) before converging: its probabilities and metrics may be off; retrain with more iterations or stronger regularisation.',
    );
  });
});
