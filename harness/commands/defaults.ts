/** Option defaults and choices the CLI shows in --help (kept apart so that help needs no command module). */
export const MATRIX_FORMATS = ['table', 'json', 'md'] as const;
export type MatrixFormat = (typeof MATRIX_FORMATS)[number];
export const DEFAULT_PORT = 20002;
export const DEFAULT_OUTPUTS = 'amplify_outputs.authmatrix.json';
