export interface DiffOptions { base: string; head: string; config?: string; allowWidening?: boolean; format: string }
export async function diffCommand(_opts: DiffOptions): Promise<{ output: string; exitCode: number }> {
  throw new Error('diff: under construction');
}
