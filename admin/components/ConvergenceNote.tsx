import React from 'react';
import { Box, MessageBox, Text } from '@adminjs/design-system';
import { notConvergedWarning, unconvergedFit } from '../../src/ml/training-convergence.js';
import type { VersionMetrics } from './metrics-types.js';

/** How the fit ended; a warning when it stopped at its iteration cap (its metrics then describe a half-finished fit). */
export const ConvergenceNote: React.FC<{ metrics: VersionMetrics }> = ({ metrics }) => {
  const training = metrics.training;
  if (!training) return null;
  const unconverged = unconvergedFit(metrics);
  if (unconverged)
    return (
      <Box mb="lg" data-testid="not-converged">
        <MessageBox variant="danger" message={notConvergedWarning(unconverged)} />
      </Box>
    );
  return (
    <Text variant="sm" color="grey60" mb="lg" data-testid="training-converged">
      Fit converged ({training.solver}, {training.iterations} of at most {training.maxIterations} iterations, gradient
      norm {training.gradientNorm.toExponential(1)}).
    </Text>
  );
};
