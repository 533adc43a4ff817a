/** Validates JUnit XML against test/fixtures/junit.xsd with libxml2 (xmllint-wasm). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const XSD = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/junit.xsd'), 'utf8');

export async function validJunit(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [XSD], maxMemoryPages: 16 * 1024 });
  return { valid: r.valid, errors: r.errors.map((e) => e.rawMessage) };
}
