export interface LintOptions { schema: string; gen1Config?: string; format: string; failOn?: 'high' | 'medium' | 'low' }
export async function lintCommand(_opts: LintOptions): Promise<{ output: string; exitCode: number }> {
  throw new Error('lint: under construction');
}
