import path from 'node:path';

/** The app directory of a schema file: above `amplify/` for Gen 2, the schema's directory otherwise. */
export function appRoot(schemaFile: string): string {
  const parts = schemaFile.split(path.sep);
  const i = parts.lastIndexOf('amplify');
  return i > 0 ? parts.slice(0, i).join(path.sep) : path.dirname(schemaFile);
}
