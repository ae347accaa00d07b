import { CronExpressionParser } from 'cron-parser';

/** Retraining more often than this would keep a worker busy for nothing and flood the registry. */
export const MIN_RETRAIN_INTERVAL_MINUTES = 5;

/**
 * The rule for a model's retraining schedule: a 5-field cron expression in UTC (minute hour
 * day-of-month month day-of-week), at most every 5 minutes. Throws an Error whose message says what
 * is wrong and shows an example; returns the next runs otherwise.
 */
export function checkRetrainSchedule(expression: string, from: Date = new Date()): Date[] {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(
      `"${expression}" has ${fields.length} fields; use 5 (minute hour day-of-month month day-of-week, UTC), e.g. "0 3 * * 1" = Mondays at 03:00.`,
    );
  }
  let runs: Date[];
  try {
    const parsed = CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: from, strict: false });
    runs = parsed.take(3).map((date) => date.toDate());
  } catch (error) {
    throw new Error(
      `"${expression}" is not a valid cron expression (${(error as Error).message}); e.g. "0 3 * * *" = daily at 03:00 UTC.`,
      { cause: error },
    );
  }
  for (let i = 1; i < runs.length; i += 1) {
    if (runs[i]!.getTime() - runs[i - 1]!.getTime() < MIN_RETRAIN_INTERVAL_MINUTES * 60_000) {
      throw new Error(
        `"${expression}" would retrain more often than every ${MIN_RETRAIN_INTERVAL_MINUTES} minutes; choose a longer interval, e.g. "0 * * * *" = hourly.`,
      );
    }
  }
  return runs;
}
