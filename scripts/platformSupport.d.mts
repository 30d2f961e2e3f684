// Types for platformSupport.mjs (a plain script, so that scripts can read it without a compiler).
export const ELECTRON_SUPPORT: { checked: string; majors: number[] };
export const ELECTRON_MAJOR_CADENCE_DAYS: number;
export const NODE_LINES: { major: number; minimum: string }[];
