// The file-system tools, in the order the model is offered them.
import { fsDelete } from './delete.js';
import { fsList } from './list.js';
import { fsMove } from './move.js';
import { fsRead } from './read.js';
import { fsSearch } from './search.js';
import { fsWrite } from './write.js';

export { fsDelete, TargetsChangedError, type DeletePlan, type DeleteResult } from './delete.js';
export { globToRegExp, hasGlob, splitGlob } from './glob.js';
export { fsList, type ListEntry, type ListResult } from './list.js';
export { fsMove, type MoveResult } from './move.js';
export { fsRead, type ReadResult } from './read.js';
export { fsSearch, type SearchResult } from './search.js';
export { PolicyDeniedError, type FsTool, type FsToolContext, type Plan } from './shared.js';
export { fsWrite, type WriteResult } from './write.js';

export const FS_TOOLS = [fsRead, fsList, fsSearch, fsWrite, fsMove, fsDelete] as const;
