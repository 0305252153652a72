/** Writes docs/errors.md from the error-code registry (packages/errors/src/codes.ts). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { errorCodesMarkdown } from '@supergraph/errors';

const file = path.resolve(import.meta.dirname, '..', 'docs', 'errors.md');
writeFileSync(file, errorCodesMarkdown());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
