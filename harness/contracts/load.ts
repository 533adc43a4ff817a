/**
 * Finds and loads contract files: `*.contract.yaml` (or .yml) and `*.contract.ts` (or .mts, .js, .mjs).
 * TypeScript contracts are loaded with jiti, `authmatrix/contracts` aliased to the builder, so the
 * same file loads in this repository and in an app where authmatrix is installed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../schema/errors.js';
import { importAppModule } from '../schema/user-module.js';
import type { ContractDefinition } from './builder.js';
import { isStatementError, type Contract } from './statement.js';
import { parseContractYaml } from './yaml.js';

const BUILDER = fileURLToPath(new URL('./builder.js', import.meta.url));
export const CONTRACT_FILE = /\.contract\.(ya?ml|[cm]?[jt]s)$/;
const NAMING = 'name contract files <name>.contract.yaml or <name>.contract.ts';

/** Where the runner looks when no path is given: `specs/contracts/` under the app root and under the working directory. */
export function defaultContractPaths(appRoot: string, cwd = process.cwd()): string[] {
  const dirs = [path.join(appRoot, 'specs/contracts'), path.join(cwd, 'specs/contracts')].map((d) => path.resolve(d));
  return [...new Set(dirs)].filter((d) => existsSync(d) && statSync(d).isDirectory());
}

/** Loads every contract in the given files and directories (directories: their contract files, recursively, sorted). */
export async function loadContracts(paths: string[]): Promise<Contract[]> {
  const files: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!existsSync(abs)) throw new InputError('contracts path not found', { file: p }, `pass a contract file or a directory of them (${NAMING})`);
    if (statSync(abs).isDirectory()) files.push(...contractFiles(abs));
    else if (CONTRACT_FILE.test(abs)) files.push(abs);
    else throw new InputError('not a contract file', { file: p }, NAMING);
  }
  const out: Contract[] = [];
  for (const file of [...new Set(files)]) out.push(...(await loadFile(file)));
  return out;
}

function contractFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => CONTRACT_FILE.test(f) && !f.split(path.sep).includes('node_modules'))
    .map((f) => path.join(dir, f))
    .sort();
}

async function loadFile(file: string): Promise<Contract[]> {
  const shown = path.relative(process.cwd(), file) || file;
  if (/\.ya?ml$/.test(file)) return [parseContractYaml(readFileSync(file, 'utf8'), shown)];
  let exported: unknown;
  try {
    const mod = await importAppModule(file, { alias: { 'authmatrix/contracts': BUILDER } });
    exported = mod.default ?? mod;
  } catch (e) {
    if (isStatementError(e)) {
      const line = (e as { line?: number }).line;
      throw new InputError(e.message, { file: shown, ...(line ? { line } : {}) }, e.fix);
    }
    throw new InputError(`the contract does not load: ${String((e as Error)?.message ?? e).split('\n')[0]}`, { file: shown }, 'fix the TypeScript so the file evaluates');
  }
  const list = Array.isArray(exported) ? exported : [exported];
  if (!list.length || !list.every(isDefinition)) {
    throw new InputError('the default export is not a contract', { file: shown }, "export default contract('<name>', [...]) from 'authmatrix/contracts' (or an array of them)");
  }
  return list.map((d) => ({ name: d.name, ...(d.description ? { description: d.description } : {}), file: shown, statements: d.statements }));
}

function isDefinition(x: unknown): x is ContractDefinition {
  return (x as ContractDefinition | undefined)?.kind === 'authmatrix:contract' && Array.isArray((x as ContractDefinition).statements);
}
