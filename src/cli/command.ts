export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** Wrong or missing arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
