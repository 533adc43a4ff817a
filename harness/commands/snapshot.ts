export interface SnapshotOptions { schema: string; config?: string; gen1Config?: string; out: string }
export async function snapshotCommand(_opts: SnapshotOptions): Promise<string> {
  throw new Error('snapshot: under construction');
}
