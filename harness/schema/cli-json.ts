/**
 * The JSON files of a Gen 1 project (`cli.json`, `cli-inputs.json`, `backend-config.json`, …) as the Amplify CLI
 * reads them: through hjson (amplify-cli-core `JSONUtilities.parse`), with a leading byte order mark dropped first.
 * hjson takes comments and trailing commas that `JSON.parse` refuses: a project whose `cli.json` has
 * `"flag": false,}` deploys, so it must load here too (NamS135176/grandPortals).
 */
import Hjson from 'hjson';

export function parseCliJson(text: string): unknown {
  return Hjson.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
}
