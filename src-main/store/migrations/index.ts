// Every migration, in order. Adding one: a new numbered file, a line here, and its own test.
import type { Migration } from '../migration.js';
import { migration001 } from './001_timeline.js';
import { migration002 } from './002_timelineIndexes.js';
import { migration003 } from './003_timelineText.js';
import { migration004 } from './004_sessions.js';
import { migration005 } from './005_sessionLinks.js';

export const MIGRATIONS: readonly Migration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
];
