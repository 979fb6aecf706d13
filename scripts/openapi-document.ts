// Prints /api/v1/openapi.json as the worker serves it on the primary: the document publish stores,
// with the request's origin filled in (scripts/check-openapi.sh lints it, test/publish checks it).
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import * as z from 'zod/mini';
import { openApiDocument } from '../src/api/openapi';
import { fillOrigin } from '../src/sites/origin-placeholder';
import { httpsOrigin } from '../src/sites/urls';

const site = z.parse(
  z.object({ name: z.string(), primary: z.string() }),
  parse(await readFile(process.argv[2] ?? 'content/site.yaml', 'utf8')),
);
process.stdout.write(fillOrigin(openApiDocument(site.name), httpsOrigin(site.primary)));
