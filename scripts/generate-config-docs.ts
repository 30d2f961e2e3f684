// Writes the config reference into README.md from the schema.
import fs from 'node:fs';
import path from 'node:path';
import { withConfigReference } from '../src-main/config/reference.js';

const readmePath = path.resolve(import.meta.dirname, '..', 'README.md');
fs.writeFileSync(readmePath, withConfigReference(fs.readFileSync(readmePath, 'utf8')));
console.log(`config reference written to ${readmePath}`);
