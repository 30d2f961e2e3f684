// Writes the configuration reference into docs/configuration.md from the schema.
import fs from 'node:fs';
import path from 'node:path';
import { REFERENCE_FILE, withConfigReference } from '../src-main/config/reference.js';

const docPath = path.resolve(import.meta.dirname, '..', REFERENCE_FILE);
fs.writeFileSync(docPath, withConfigReference(fs.readFileSync(docPath, 'utf8')));
console.log(`config reference written to ${docPath}`);
