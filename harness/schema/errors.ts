/** Where bad input was found. `line`/`column` are 1-based when known. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
}

/**
 * A problem with the user's input (schema, config, flags). The CLI prints `format()` as one line and
 * exits with code 2; nothing else about it (stack, cause) is shown.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly where: SourceLocation | undefined,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }

  format(): string {
    const at = this.where
      ? [this.where.file, this.where.line, this.where.column].filter((p) => p !== undefined).join(':') + ': '
      : '';
    return `${at}${this.message}${this.fix ? `. Fix: ${this.fix}` : ''}`;
  }
}

export function isInputError(e: unknown): e is InputError {
  return e instanceof InputError;
}
