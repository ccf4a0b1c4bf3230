/**
 * Regenerates the committed qbXML 16.0 metadata and types from Intuit's XSD:
 *
 *   npm run generate:schema -- --xsd-dir <dir> \
 *     --annotated <qbxmlops140.xml> --out main/qbxml/schema/generated
 *
 * The XSD and the annotated sample are Intuit's (qbXML Developer Agreement) and stay
 * outside the repository; only the derived facts in the output are committed. How
 * `since`/`notIn` are read from the sample, and why elements missing from it get
 * "15.0", is explained in main/qbxml/schema/codegen/annotations.ts and resolve.ts.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateQbxmlSchema } from '../main/qbxml/schema/codegen/generate';

function main(): void {
  const { values } = parseArgs({
    options: {
      'xsd-dir': { type: 'string' },
      annotated: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const xsdDir = values['xsd-dir'];
  const annotatedPath = values.annotated;
  const out = values.out;
  if (xsdDir === undefined || annotatedPath === undefined || out === undefined) {
    console.error('usage: generate-qbxml-schema --xsd-dir <dir> --annotated <file> --out <dir>');
    process.exit(2);
  }

  const started = performance.now();
  const generated = generateQbxmlSchema({ xsdDir, annotatedPath });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'qbxml160.json'), generated.json);
  writeFileSync(join(out, 'types.ts'), generated.types);

  for (const warning of generated.warnings) console.warn(`warning: ${warning}`);
  const { compact } = generated;
  console.log(
    `qbXML ${compact.v}: ${compact.rq.length} requests, ${compact.rs.length} responses, ` +
      `${compact.t.length} types, ${compact.e.length} elements; ` +
      `${generated.json.length} B JSON, ${generated.types.length} B types ` +
      `in ${Math.round(performance.now() - started)} ms`,
  );
}

main();
