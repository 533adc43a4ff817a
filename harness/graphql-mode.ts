/**
 * graphql-js tests every instanceof for a second copy of itself unless NODE_ENV is production, at a tenth of the
 * emulator's time on a list (docs/architecture.md, "Performance"). The commands load it here before anything imports
 * it, with NODE_ENV set while it loads only: vitest, its worker and the app's code see the environment as it was.
 */
export async function loadGraphql(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await import('graphql');
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
