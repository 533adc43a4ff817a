export interface ReportOptions { results: string; merge?: string[]; audit?: boolean; out: string }
export async function reportCommand(_opts: ReportOptions): Promise<{ output: string; exitCode: number }> {
  throw new Error('report: under construction');
}
