// What OmniPalm is built and tested on, in one place. test/unit/platformSupport.test.ts holds
// package.json and node_modules to it; updating a line here is the whole change.

/**
 * Electron supports its latest three stable majors; older ones get no Chromium security fixes.
 * Read from the npm registry on `checked` (`npm view electron dist-tags`, `npm view electron
 * versions`): latest 45.6.1; 44.11.5 and 43.8.13 the newest of the two before it.
 */
export const ELECTRON_SUPPORT = { checked: '2026-12-04', majors: [45, 44, 43] };

/**
 * Electron ships a new major every 8 weeks, which drops the oldest of the three: the test
 * counts the cadences since `checked` and fails once the pinned major has left by that count.
 */
export const ELECTRON_MAJOR_CADENCE_DAYS = 56;

/**
 * The Node lines the unit and integration suites run on: the machine's Node (20) under
 * `npm test`, the others with `node scripts/test-on-node.mjs <major>` (.ci/run runs all).
 * package.json `engines.node` names exactly these lines, from the oldest release every
 * dependency accepts (20.19: require(esm); 22.13: ESLint 10).
 */
export const NODE_LINES = [
  { major: 20, minimum: '20.19.0' },
  { major: 22, minimum: '22.13.0' },
  { major: 24, minimum: '24.0.0' },
];
